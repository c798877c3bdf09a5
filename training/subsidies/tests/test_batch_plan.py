"""A disbursement batch of a thousand claims freezes its payees in work that grows with the claims, not
with their square. On statistics that say hardly any claim is outside a batch (a quarter's claims stay below
autovacuum's threshold of a tenth of the table), the batch's UPDATE had been planned as a nested loop over
every pair of claim and payee (1,200 claims: 1.4 million rows read and thrown away, 0.4 s; the demo's
largest batch took 20 s)."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection

from certification.models import Certificate
from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.registry.models import Organization, Worker
from zhangwan.registry.tests.factories import OrganizationFactory, make_id_number, trade

from .. import services
from ..models import Claim
from .factories import policy

pytestmark = pytest.mark.django_db
CLAIMS = 1_200


def approved_claims(count: int):
    """COUNT approved claims under one policy, each of a worker of their own with a bank account, written
    as the engine writes them (set-based) after the claims' statistics were last taken: as in a quarter
    whose claims are far fewer than the autovacuum's threshold of a tenth of the table, the statistics
    say that hardly any claim is outside a batch. The workers' statistics are up to date."""
    skill, employer, welder = policy(), OrganizationFactory(kind=Organization.Kind.ENTERPRISE), trade()
    workers = [Worker(name=f"职工{n}", id_number=make_id_number(n, region="420302"), employer=employer,
                      mobile=f"139{n:08d}", bank_name="中国工商银行", bank_account=f"6217{n:015d}")
               for n in range(count)]
    for worker in workers:
        worker.fill_derived_fields()
    workers = Worker.objects.bulk_create(workers)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Worker._meta.db_table}, {Claim._meta.db_table}")
    certificates = Certificate.objects.bulk_create(
        Certificate(number=f"P{n:08d}", holder=w, trade=welder, level=4, issued_on=skill.valid_from, source="imported")
        for n, w in enumerate(workers))
    Claim.objects.bulk_create(
        Claim(policy=skill, worker=c.holder, certificate=c, amount=Decimal("1500.00"), status=Claim.Status.APPROVED,
              claimed_on=datetime.date(2024, 12, 31)) for c in certificates)
    return skill


def plan_nodes(plan):
    yield plan
    for child in plan.get("Plans", ()):
        yield from plan_nodes(child)


def test_a_batch_of_many_claims_reads_each_claim_and_payee_a_bounded_number_of_times():
    skill = approved_claims(CLAIMS)
    explained = []

    def explain_first(execute, sql, params, many, context):
        statement = sql.lstrip().upper()
        if statement.startswith(("UPDATE", "WITH")) and "PAYEE_BANK_ACCOUNT" in statement or \
                statement.startswith("SELECT") and "FOR SHARE" in statement:
            cursor = context["cursor"]
            cursor.execute("SAVEPOINT explained")
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
            explained.append(cursor.fetchone()[0])
            cursor.execute("ROLLBACK TO SAVEPOINT explained")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(explain_first):
        batch = services.batch_create(policy=skill, user=UserFactory(role=Role.FINANCE_OFFICER))
    assert batch.claims.count() == CLAIMS
    assert batch.claims.filter(payee_bank_account__startswith="6217").count() == CLAIMS
    assert explained, "the batch's payee statement was not seen"
    thrown_away = [node.get("Rows Removed by Join Filter", 0) for plan in explained
                   for node in plan_nodes((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"])]
    assert sum(thrown_away) < CLAIMS, f"{sum(thrown_away):,} rows read and thrown away for {CLAIMS:,} claims"
    assert len(explained) == 2  # the workers' lock and the payees' UPDATE
