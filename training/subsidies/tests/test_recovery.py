"""Issue 18, subsidies money: the budget never falls below what is committed; a reversal of a paid
claim is netted in the committed and paid figures everywhere (one selector) and recovered through a
recovery batch or marked recovered by finance; an approver sends a batch back with a reason; revoking
a subsidised certificate opens the recovery."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from certification import services as certification
from certification.models import Certificate
from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.history import reason_key
from zhangwan.registry.tests.factories import WorkerFactory
from zhangwan.reports import dashboard, figures

from .. import selectors, services
from ..models import Batch, Claim, Kind, Policy
from .factories import YEAR, approved_batch, claim, draft_batch, policy

pytestmark = pytest.mark.django_db
PAID_ON = datetime.date(YEAR, 12, 1)


@pytest.fixture
def people(db):
    return {name: UserFactory(username=name, role=role) for name, role in [
        ("officer", Role.TRAINING_OFFICER), ("maker", Role.FINANCE_OFFICER), ("checker", Role.FINANCE_OFFICER)]}


def banked(**fields):
    return WorkerFactory(bank_name="中国工商银行", bank_account="6217000011112222333", **fields)


def paid_through_services(people, pol, amounts, reference="B1"):
    """Claims approved, batched, approved and paid the way the office does it."""
    claims = [claim(policy=pol, worker=banked(), amount=Decimal(a)) for a in amounts]
    batch = services.batch_create(policy=pol, user=people["maker"])
    services.batch_approve(batch=batch, user=people["checker"])
    services.payment_record(batch=batch, user=people["maker"], paid_on=PAID_ON, reference=reference)
    return claims, batch


# 1. The budget -----------------------------------------------------------------------------------

def test_the_budget_form_refuses_a_budget_below_the_committed_amount_and_shows_it(client, people):
    pol = policy(Kind.TRAINING, budget=Decimal("5000"))
    paid_through_services(people, pol, ["3000"])
    client.force_login(people["officer"])
    response = client.post(reverse("subsidies:policy_budget", args=[pol.pk]), {"budget": "2000"}, follow=True)
    assert response.status_code == 200
    assert "3,000.00" in " ".join(str(m) for m in response.context["messages"])
    assert Policy.objects.get(pk=pol.pk).budget == Decimal("5000.00")
    response = client.post(reverse("subsidies:policy_budget", args=[pol.pk]), {"budget": "3000"}, follow=True)
    assert Policy.objects.get(pk=pol.pk).budget == Decimal("3000.00")
    assert pol.history.latest().history_change_reason == reason_key("policy.budget", "3,000.00")


def test_the_budget_service_and_the_admin_form_refuse_a_budget_below_the_committed_amount(client, people):
    pol = policy(Kind.TRAINING, budget=Decimal("5000"))
    paid_through_services(people, pol, ["3000"])
    with pytest.raises(services.SubsidyError, match="3,000.00"):
        services.policy_budget_change(policy=pol, budget=Decimal("2999.99"), user=people["officer"])
    pol.refresh_from_db()
    pol.budget = Decimal("2000")
    with pytest.raises(ValidationError, match="3,000.00"):
        pol.full_clean()
    # The admin's change page answers with the form and its error, not a 500.
    client.force_login(UserFactory(role=Role.TRAINING_OFFICER, is_staff=True))
    url = reverse("admin:subsidies_policy_change", args=[pol.pk])
    data = {"kind": pol.kind, "name": pol.name, "basis": "", "valid_from": f"{YEAR}-01-01", "valid_to": f"{YEAR}-12-31",
            "budget": "2000", "min_insured_months": 12, "max_per_year": 3, "claim_window_months": 12,
            "min_attendance_percent": 80, "certificate_within_days": 180,
            "rates-TOTAL_FORMS": 0, "rates-INITIAL_FORMS": 0, "rates-MIN_NUM_FORMS": 0, "rates-MAX_NUM_FORMS": 1000}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "3,000.00" in response.content.decode()
    assert Policy.objects.get(pk=pol.pk).budget == Decimal("5000.00")


# 2. Netting --------------------------------------------------------------------------------------

def test_a_reversal_of_a_paid_claim_is_netted_in_committed_paid_and_remaining_everywhere(client, people):
    pol = policy(Kind.TRAINING, budget=Decimal("10000"))
    (first, _second), _batch = paid_through_services(people, pol, ["480", "1000"])
    services.claim_reverse(claim=first, user=people["officer"], reason="重复领取")
    pol.refresh_from_db()
    assert (pol.committed, pol.paid, pol.remaining) == (Decimal("1000.00"), Decimal("1000.00"), Decimal("9000.00"))
    money = selectors.policy_money([pol])[pol.pk]
    assert (money["committed"], money["paid"], money["reversed"], money["to_recover"]) == (
        Decimal("1000.00"), Decimal("1000.00"), Decimal("480.00"), Decimal("480.00"))
    # The annual report and the dashboard.
    assert figures.subsidies_paid(YEAR)["skill"] == Decimal("1000.00")
    assert dashboard.subsidies_by_kind(YEAR)[f"paid_{Kind.TRAINING}"] == Decimal("1000.00")
    # The policy page and the list.
    client.force_login(people["checker"])
    page = client.get(reverse("subsidies:policy_detail", args=[pol.pk]))
    assert (page.context["money"]["paid"], page.context["remaining"]) == (Decimal("1000.00"), Decimal("9000.00"))
    listed = client.get(reverse("subsidies:policy_list")).context["policies"]
    assert [p.money["committed"] for p in listed] == [Decimal("1000.00")]


def test_a_reversal_of_a_claim_never_paid_moves_no_money():
    pol = policy(Kind.TRAINING)
    unpaid = claim(policy=pol, worker=banked(), amount=Decimal("480"))
    services.claim_reverse(claim=unpaid, user=None, reason="资料不实")
    pol.refresh_from_db()
    assert (pol.committed, pol.paid) == (0, 0)
    assert not Claim.objects.to_recover().exists()
    assert selectors.policy_money([pol])[pol.pk]["to_recover"] == 0


def test_the_selector_agrees_with_the_policy_counters(people):
    pol = policy(Kind.SKILL)
    (first, _), _ = paid_through_services(people, pol, ["1500", "2000"])
    batch = draft_batch([claim(policy=pol, worker=banked())], made_by=people["maker"])
    services.batch_approve(batch=batch, user=people["checker"])
    services.claim_reverse(claim=first, user=people["officer"], reason="x")
    pol.refresh_from_db()
    money = selectors.policy_money([pol])[pol.pk]
    assert (money["committed"], money["paid"]) == (pol.committed, pol.paid) == (Decimal("3500.00"),
                                                                                Decimal("2000.00"))


# 3. Recovery -------------------------------------------------------------------------------------

def test_a_recovery_batch_collects_the_reversals_and_its_bank_file_shows_what_to_recover(client, people):
    pol = policy(Kind.TRAINING)
    (first, second), _ = paid_through_services(people, pol, ["480", "1000"])
    reversal = services.claim_reverse(claim=first, user=people["officer"], reason="重复领取")
    # A payment batch never takes a reversal.
    with pytest.raises(services.SubsidyError):
        services.batch_create(policy=pol, user=people["maker"])
    recovery = services.batch_create(policy=pol, user=people["maker"], kind=Batch.Kind.RECOVERY)
    assert (recovery.total, recovery.claim_count, list(recovery.claims.all())) == (Decimal("-480.00"), 1, [reversal])
    assert Claim.objects.get(pk=reversal.pk).payee_bank_account == "6217000011112222333"
    services.batch_approve(batch=recovery, user=people["checker"])
    client.force_login(people["maker"])
    rows = list(load_workbook(io.BytesIO(client.get(reverse("subsidies:batch_bank_file", args=[recovery.pk])).content))
                .active.values)
    assert rows[2][5] == 480 and rows[-1][5] == 480
    assert Claim.objects.to_recover().get() == reversal
    services.payment_record(batch=recovery, user=people["maker"], paid_on=PAID_ON, reference="BACK-1")
    assert not Claim.objects.to_recover().exists()
    pol.refresh_from_db()
    assert (pol.committed, pol.paid) == (Decimal("1000.00"), Decimal("1000.00"))  # netted once, at the reversal
    assert Claim.objects.get(pk=reversal.pk).is_recovered


def test_finance_marks_a_reversal_recovered_with_date_reference_and_reason(client, people):
    pol = policy(Kind.TRAINING)
    (first, _), _ = paid_through_services(people, pol, ["480", "1000"])
    reversal = services.claim_reverse(claim=first, user=people["officer"], reason="重复领取")
    client.force_login(people["maker"])
    listed = client.get(reverse("subsidies:recovery_list"))
    assert [c.pk for c in listed.context["page"]] == [reversal.pk] and listed.context["total"] == Decimal("480.00")
    url = reverse("subsidies:claim_recovered", args=[reversal.pk])
    assert client.get(reverse("subsidies:claim_detail", args=[reversal.pk])).context["recovery_form"] is not None
    client.post(url, {"recovered_on": "2999-01-01", "reference": "R1", "reason": "柜台退回"})
    client.post(url, {"recovered_on": f"{YEAR}-12-05", "reference": "", "reason": "柜台退回"})
    assert Claim.objects.to_recover().exists()
    client.post(url, {"recovered_on": f"{YEAR}-12-05", "reference": "R1", "reason": "柜台退回"})
    marked = Claim.objects.get(pk=reversal.pk)
    assert (marked.recovered_on, marked.recovery_reference, marked.recovery_note, marked.recovered_by) == (
        datetime.date(YEAR, 12, 5), "R1", "柜台退回", people["maker"])
    assert marked.history.latest().history_change_reason == reason_key("claim.recovered", "R1")
    assert not client.get(reverse("subsidies:recovery_list")).context["page"].object_list
    with pytest.raises(services.SubsidyError):
        services.recovery_mark(claim=marked, user=people["maker"], recovered_on=PAID_ON, reference="R2", reason="x")


def test_a_reversal_in_a_recovery_batch_is_not_marked_by_hand_and_only_finance_marks(client, people):
    pol = policy(Kind.TRAINING)
    (first, _), _ = paid_through_services(people, pol, ["480", "1000"])
    reversal = services.claim_reverse(claim=first, user=people["officer"], reason="重复领取")
    client.force_login(people["officer"])
    assert client.post(reverse("subsidies:claim_recovered", args=[reversal.pk]),
                       {"recovered_on": f"{YEAR}-12-05", "reference": "R1", "reason": "x"}).status_code == 403
    services.batch_create(policy=pol, user=people["maker"], kind=Batch.Kind.RECOVERY)
    with pytest.raises(services.SubsidyError, match="R"):
        services.recovery_mark(claim=reversal, user=people["maker"], recovered_on=PAID_ON, reference="R1", reason="x")


# 4. Sending a batch back -------------------------------------------------------------------------

def test_the_approver_sends_an_approved_batch_back_with_a_reason_the_maker_reads(client, people):
    pol = policy(Kind.SKILL)
    batch = draft_batch([claim(policy=pol, worker=banked())], made_by=people["maker"])
    services.batch_approve(batch=batch, user=people["checker"])
    assert Policy.objects.get(pk=pol.pk).committed == Decimal("1500.00")
    client.force_login(people["checker"])
    url = reverse("subsidies:batch_send_back", args=[batch.pk])
    client.post(url, {"reason": " "})
    assert Batch.objects.get(pk=batch.pk).status == "approved"
    client.post(url, {"reason": "两名收款人账号有误"})
    batch.refresh_from_db()
    assert (batch.status, batch.sent_back_reason, batch.approved_by) == ("draft", "两名收款人账号有误", None)
    assert Policy.objects.get(pk=pol.pk).committed == 0
    assert batch.history.latest().history_change_reason == reason_key("batch.sent_back", "两名收款人账号有误")
    client.force_login(people["maker"])
    page = client.get(reverse("subsidies:batch_detail", args=[batch.pk])).content.decode()
    assert "两名收款人账号有误" in page and 'id="send-back-form"' not in page
    assert [n.title for n in people["maker"].notifications.all()] != []
    # Approved again afterwards: the reason is cleared, the money committed again.
    services.batch_approve(batch=batch, user=people["checker"])
    batch.refresh_from_db()
    assert (batch.status, batch.sent_back_reason, Policy.objects.get(pk=pol.pk).committed) == (
        "approved", "", Decimal("1500.00"))


def test_a_draft_is_sent_back_too_but_not_a_paid_batch_nor_by_its_maker(people):
    pol = policy(Kind.SKILL)
    draft = draft_batch([claim(policy=pol, worker=banked())], made_by=people["maker"])
    with pytest.raises(services.SubsidyError):
        services.batch_send_back(batch=draft, user=people["maker"], reason="x")
    services.batch_send_back(batch=draft, user=people["checker"], reason="备注不全")
    draft.refresh_from_db()
    assert (draft.status, draft.sent_back_reason) == ("draft", "备注不全")
    paid = approved_batch([claim(policy=pol, worker=banked())], made_by=people["maker"],
                          approved_by=people["checker"], paid=True)
    with pytest.raises(services.SubsidyError):
        services.batch_send_back(batch=paid, user=people["checker"], reason="x")
    assert Batch.objects.get(pk=paid.pk).status == "paid"


# 5. Revocation -----------------------------------------------------------------------------------

def test_revoking_a_subsidised_certificate_opens_a_recovery_in_the_same_transaction(people):
    pol = policy(Kind.SKILL)
    (paid_claim,), _ = paid_through_services(people, pol, ["1500"])
    certificate = paid_claim.certificate
    certification.certificate_revoke(certificate=certificate, reason="证书信息造假", user=people["officer"])
    reversal = Claim.objects.get(reverses=paid_claim)
    assert reversal.amount == Decimal("-1500.00") and "证书信息造假" in reversal.review_note
    assert list(Claim.objects.to_recover()) == [reversal]
    pol.refresh_from_db()
    assert (pol.committed, pol.paid) == (0, 0)


def test_revocation_waits_for_a_claim_in_an_unpaid_batch_and_changes_nothing(people):
    pol = policy(Kind.SKILL)
    in_batch = claim(policy=pol, worker=banked())
    draft_batch([in_batch], made_by=people["maker"])
    with pytest.raises(certification.CertificationError, match="P"):
        certification.certificate_revoke(certificate=in_batch.certificate, reason="造假", user=people["officer"])
    assert Certificate.objects.get(pk=in_batch.certificate_id).status == Certificate.Status.VALID
    assert not Claim.objects.filter(reverses__isnull=False).exists()


def test_the_revocation_page_says_what_happens_to_the_subsidy_and_disables_the_button_when_blocked(client, people):
    pol = policy(Kind.SKILL)
    (paid_claim,), _ = paid_through_services(people, pol, ["1500"])
    in_batch = claim(policy=pol, worker=banked())
    draft_batch([in_batch], made_by=people["maker"])
    client.force_login(UserFactory(role=Role.CERTIFICATION_OFFICER))
    page = client.get(reverse("certification:revoke", args=[paid_claim.certificate_id])).content.decode()
    assert 'id="subsidy-recovery"' in page and "¥1,500.00" in page and " disabled" not in page
    page = client.get(reverse("certification:revoke", args=[in_batch.certificate_id])).content.decode()
    assert 'id="subsidy-blocked"' in page and 'type="submit" disabled' in page
