"""Review, reversals, disbursement batches, budgets and payments: services and their pages."""

import datetime
import io
import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from openpyxl import load_workbook

from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.registry.tests.factories import WorkerFactory

from .. import services
from ..models import Batch, Claim, Kind, Policy
from .factories import YEAR, approved_batch, claim, draft_batch, policy


@pytest.fixture
def people(db):
    return {name: UserFactory(username=name, role=role) for name, role in [
        ("officer", Role.TRAINING_OFFICER), ("maker", Role.FINANCE_OFFICER), ("checker", Role.FINANCE_OFFICER)]}


def banked(**fields):
    return WorkerFactory(bank_name="中国工商银行", bank_account="6217000011112222333", **fields)


def pending_claims(skill, count=3, amount="1000.00"):
    return [claim(policy=skill, worker=banked(), amount=Decimal(amount), status="pending") for _ in range(count)]


def test_approving_claims_keeps_their_history(people):
    skill = policy()
    claims = pending_claims(skill)
    assert services.claims_approve(claims=Claim.objects.all(), user=people["officer"]) == 3
    record = claims[0].history.latest()
    assert (record.status, record.history_user, record.prev_record.status) == ("approved", people["officer"], "pending")


def test_refusing_needs_a_reason_and_changes_nothing_without_one(people):
    pending_claims(policy(), 1)
    with pytest.raises(services.SubsidyError):
        services.claims_refuse(claims=Claim.objects.all(), user=people["officer"], reason="  ")
    assert Claim.objects.get().status == "pending"


def test_an_approved_claim_is_not_changed_by_review_in_the_page(client, people):
    approved = claim(policy=policy(), worker=banked())
    client.force_login(people["officer"])
    response = client.post(reverse("subsidies:claim_review"), {"action": "refuse", "scope": "selected",
                                                               "claims": [approved.pk], "reason": "重复"}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["warning"]
    assert Claim.objects.get(pk=approved.pk).status == "approved"


def test_a_reversal_points_to_the_claim_and_is_refused_twice(people):
    paid = claim(policy=policy(), worker=banked())
    approved_batch([paid], made_by=people["maker"], approved_by=people["checker"], paid=True)
    reversal = services.claim_reverse(claim=paid, user=people["officer"], reason="重复领取")
    assert (reversal.reverses, reversal.amount, reversal.status) == (paid, Decimal("-1500.00"), "approved")
    with pytest.raises(services.SubsidyError):
        services.claim_reverse(claim=paid, user=people["officer"], reason="again")
    assert Claim.objects.filter(reverses=paid).count() == 1


def test_a_claim_still_awaiting_review_is_not_reversed(people):
    waiting = pending_claims(policy(), 1)[0]
    with pytest.raises(services.SubsidyError):
        services.claim_reverse(claim=waiting, user=people["officer"], reason="x")
    assert not Claim.objects.filter(reverses__isnull=False).exists()


def test_a_batch_takes_the_approved_claims_with_a_bank_account(people):
    skill = policy()
    ready = claim(policy=skill, worker=banked())
    no_account = claim(policy=skill, worker=WorkerFactory())
    claim(policy=skill, worker=banked(), status="pending")
    batch = services.batch_create(policy=skill, user=people["maker"])
    assert list(batch.claims.all()) == [ready]
    assert (batch.total, batch.claim_count) == (Decimal("1500.00"), 1)
    assert Claim.objects.get(pk=no_account.pk).batch is None


def test_whoever_made_a_batch_cannot_approve_it(people):
    batch = draft_batch([claim(policy=policy(), worker=banked())], made_by=people["maker"])
    with pytest.raises(services.SubsidyError):
        services.batch_approve(batch=batch, user=people["maker"])
    assert Batch.objects.get(pk=batch.pk).status == "draft"


def test_the_database_refuses_a_batch_approved_by_its_maker(people):
    batch = draft_batch([claim(policy=policy(), worker=banked())], made_by=people["maker"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Batch.objects.filter(pk=batch.pk).update(status="approved", approved_by=people["maker"])


def test_a_batch_over_the_remaining_budget_is_refused(people):
    skill = policy(budget=Decimal("2000"))
    batch = draft_batch([claim(policy=skill, worker=banked()) for _ in range(2)], made_by=people["maker"])
    with pytest.raises(services.SubsidyError, match="2,000.00"):
        services.batch_approve(batch=batch, user=people["checker"])
    assert (Policy.objects.get(pk=skill.pk).committed, Batch.objects.get(pk=batch.pk).status) == (0, "draft")


@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_never_exceed_the_budget():
    maker = UserFactory(role=Role.FINANCE_OFFICER)
    checkers = [UserFactory(role=Role.FINANCE_OFFICER) for _ in range(2)]
    skill = policy(budget=Decimal("5000"))
    batches = [draft_batch([claim(policy=skill, worker=banked(), amount=Decimal("3000"))], made_by=maker)
               for _ in range(2)]
    barrier, outcomes = threading.Barrier(2), []

    def approve(batch, user):
        barrier.wait()
        try:
            services.batch_approve(batch=batch, user=user)
            outcomes.append("approved")
        except services.SubsidyError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=pair) for pair in zip(batches, checkers, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["approved", "refused"]
    assert Policy.objects.get(pk=skill.pk).committed == Decimal("3000.00")
    assert Batch.objects.filter(status="approved").count() == 1


def test_payment_is_recorded_once_and_the_worker_is_told(people):
    skill = policy()
    worker = banked(user=UserFactory(role=Role.WORKER))
    batch = draft_batch([claim(policy=skill, worker=worker)], made_by=people["maker"])
    services.batch_approve(batch=batch, user=people["checker"])
    services.payment_record(batch=batch, user=people["maker"], paid_on=datetime.date(YEAR, 12, 1), reference="B1")
    with pytest.raises(services.SubsidyError):
        services.payment_record(batch=batch, user=people["maker"], paid_on=datetime.date(YEAR, 12, 2),
                                reference="B2")
    skill.refresh_from_db()
    assert (skill.committed, skill.paid, Batch.objects.get(pk=batch.pk).status) == (
        Decimal("1500.00"), Decimal("1500.00"), "paid")
    assert [n.title for n in worker.user.notifications.all()] == ["补贴已发放：¥1,500.00"]


def test_finance_cannot_review_claims_and_officers_cannot_approve_batches(client, people):
    skill = policy()
    waiting = pending_claims(skill, 1)[0]
    batch = draft_batch([claim(policy=skill, worker=banked())], made_by=people["maker"])
    client.force_login(people["checker"])
    assert client.post(reverse("subsidies:claim_review"), {"action": "approve", "scope": "selected",
                                                           "claims": [waiting.pk]}).status_code == 403
    assert client.post(reverse("admin:subsidies_claim_change", args=[waiting.pk]), {}).status_code == 403
    client.force_login(people["officer"])
    assert client.post(reverse("subsidies:batch_approve", args=[batch.pk])).status_code == 403
    assert (Claim.objects.get(pk=waiting.pk).status, Batch.objects.get(pk=batch.pk).status) == ("pending", "draft")


def test_approving_ones_own_batch_in_the_page_says_why_and_changes_nothing(client, people):
    batch = draft_batch([claim(policy=policy(), worker=banked())], made_by=people["maker"])
    client.force_login(people["maker"])
    response = client.post(reverse("subsidies:batch_approve", args=[batch.pk]), follow=True)
    assert response.status_code == 200
    assert "someone else" in response.content.decode() or "其他财务" in response.content.decode()
    assert Batch.objects.get(pk=batch.pk).status == "draft"


@pytest.mark.parametrize("paid_on, reference", [("not a date", "R1"), ("2999-01-01", "R1"), ("2024-12-01", "")])
def test_bad_payment_input_changes_nothing(client, people, paid_on, reference):
    batch = approved_batch([claim(policy=policy(), worker=banked())], made_by=people["maker"],
                           approved_by=people["checker"])
    client.force_login(people["maker"])
    response = client.post(reverse("subsidies:batch_pay", args=[batch.pk]), {"paid_on": paid_on,
                                                                           "reference": reference}, follow=True)
    assert response.status_code == 200
    assert Batch.objects.get(pk=batch.pk).status == "approved"


def test_the_bank_file_lists_payees_with_their_full_accounts(client, people):
    worker = banked(name="王建国")
    batch = approved_batch([claim(policy=policy(), worker=worker)], made_by=people["maker"],
                           approved_by=people["checker"])
    client.force_login(people["maker"])
    response = client.get(reverse("subsidies:batch_bank_file", args=[batch.pk]))
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[2][1:6] == ("王建国", worker.id_number, "中国工商银行", "6217000011112222333", 1500)
    assert rows[-1][5] == 1500


def test_bank_accounts_are_masked_for_the_training_officer(client, people):
    worker = banked()
    batch = approved_batch([claim(policy=policy(), worker=worker)], made_by=people["maker"],
                           approved_by=people["checker"])
    client.force_login(people["officer"])
    page = client.get(reverse("subsidies:batch_detail", args=[batch.pk])).content.decode()
    assert "6217 **** 2333" in page and worker.bank_account not in page
    claim_page = client.get(reverse("subsidies:claim_detail", args=[batch.claims.get().pk])).content.decode()
    assert worker.masked_id_number in claim_page and worker.id_number not in claim_page
    assert client.get(reverse("subsidies:batch_bank_file", args=[batch.pk])).status_code == 403


@pytest.mark.parametrize("budget", ["-100", "abc"])
def test_a_policy_with_a_bad_budget_is_refused_in_the_admin(client, people, budget):
    client.force_login(people["officer"])
    response = client.post(reverse("admin:subsidies_policy_add"), policy_form(budget=budget))
    assert response.status_code == 200 and not Policy.objects.exists()


def test_overlapping_policies_of_one_kind_are_refused_with_a_message(client, people):
    policy(Kind.SKILL)
    client.force_login(people["officer"])
    response = client.post(reverse("admin:subsidies_policy_add"), policy_form(valid_from=f"{YEAR}-07-01",
                                                                              valid_to=f"{YEAR + 1}-06-30"))
    assert response.status_code == 200
    assert Policy.objects.count() == 1
    assert "already covers" in response.content.decode() or "已覆盖" in response.content.decode()


def policy_form(**fields):
    return {"kind": "skill", "name": "新政策", "basis": "", "valid_from": f"{YEAR + 1}-01-01",
            "valid_to": f"{YEAR + 1}-12-31", "budget": "100000", "min_insured_months": 12, "max_per_year": 3,
            "claim_window_months": 12, "min_attendance_percent": 80, "certificate_within_days": 180,
            "rates-TOTAL_FORMS": 0, "rates-INITIAL_FORMS": 0, "rates-MIN_NUM_FORMS": 0, "rates-MAX_NUM_FORMS": 1000,
            **fields}
