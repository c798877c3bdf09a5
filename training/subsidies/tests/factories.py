import datetime
import itertools
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from certification.models import Certificate
from zhangwan.registry.models import Worker
from zhangwan.registry.tests.factories import WorkerFactory, trade

from ..models import Batch, Claim, Kind, Payment, Policy, Rate

YEAR = 2024
NUMBERS = itertools.count(1)


def policy(kind=Kind.SKILL, *, year=YEAR, budget=Decimal("1000000"), rates=None, **fields) -> Policy:
    """A policy for the whole year with the default rates of its kind."""
    created = Policy.objects.create(kind=kind, name=f"{kind} {year}", valid_from=datetime.date(year, 1, 1),
                                    valid_to=datetime.date(year, 12, 31), budget=budget, **fields)
    defaults = {Kind.SKILL: [(5, 1000), (4, 1500), (3, 2000)], Kind.TRAINING: [(None, 500)],
                Kind.LIVING: [(None, 100)]}
    Rate.objects.bulk_create([Rate(policy=created, level=level, amount=Decimal(amount))
                              for level, amount in (rates or defaults[kind])])
    return created


def claim(*, policy, worker=None, enrollment=None, certificate=None, amount=Decimal("1500.00"),
          status=Claim.Status.APPROVED) -> Claim:
    """A claim as the engine would make it; for a certificate of the worker's unless a source is given."""
    worker = worker or WorkerFactory()
    if enrollment is None and certificate is None:
        certificate = Certificate.objects.create(number=f"F{next(NUMBERS):08d}", holder=worker, trade=trade(),
                                                 level=4, issued_on=policy.valid_from, source="imported")
    return Claim.objects.create(policy=policy, worker=worker, enrollment=enrollment, certificate=certificate,
                                amount=amount, status=status, claimed_on=policy.valid_to)


def draft_batch(claims, *, made_by) -> Batch:
    """A draft batch of these claims, each payee frozen as batch_create does; a worker without a bank
    account is given one first (batch_create would leave them out)."""
    from ..services import batch_add_claims

    batch = Batch.objects.create(policy=claims[0].policy, created_by=made_by, claim_count=len(claims),
                                 total=sum(c.amount for c in claims))
    Worker.objects.filter(claims__in=claims, bank_account="").update(bank_name="中国工商银行",
                                                                     bank_account="6217000000000000")
    batch_add_claims(batch=batch, pks=[c.pk for c in claims])
    return batch


def approved_batch(claims, *, made_by, approved_by, paid=False) -> Batch:
    batch = draft_batch(claims, made_by=made_by)
    Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.PAID if paid else Batch.Status.APPROVED,
                                             approved_by=approved_by, approved_at=timezone.now())
    if paid:
        Payment.objects.create(batch=batch, paid_on=datetime.date(YEAR + 1, 1, 20), reference=f"REF{batch.pk}",
                               amount=batch.total, recorded_by=made_by)
    # The policy's counters as batch_approve and payment_record keep them.
    Policy.objects.filter(pk=batch.policy_id).update(committed=F("committed") + batch.total,
                                                     paid=F("paid") + (batch.total if paid else 0))
    batch.refresh_from_db()
    return batch
