"""Undo with a reason: an approved or refused claim is reopened (back to awaiting review) by the
training officer with a recorded reason; a claim already in a batch, or reversed, cannot be; a
revoked certificate is reinstated, and the recovery its revocation opened is undone where nothing
was recovered yet."""

import pytest
from django.urls import reverse

from certification.services import certificate_reinstate, certificate_revoke
from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.history import reason_key
from zhangwan.registry.tests.factories import WorkerFactory

from .. import services
from ..models import Claim
from .factories import approved_batch, claim, draft_batch, policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return UserFactory(role=Role.TRAINING_OFFICER)


@pytest.fixture
def finance():
    return [UserFactory(role=Role.FINANCE_OFFICER) for _ in range(2)]


def reviewed(officer, status=Claim.Status.APPROVED, **fields):
    made = claim(policy=policy(), status=Claim.Status.PENDING, **fields)
    queryset = Claim.objects.filter(pk=made.pk)
    if status == Claim.Status.APPROVED:
        services.claims_approve(claims=queryset, user=officer)
    else:
        services.claims_refuse(claims=queryset, user=officer, reason="材料不全")
    made.refresh_from_db()
    return made


def test_an_approved_claim_is_reopened_with_its_reason_in_history_and_the_worker_told(officer):
    approved = reviewed(officer, worker=WorkerFactory(user=UserFactory(role=Role.WORKER)))
    services.claim_reopen(claim=approved, user=officer, reason="审核有误")
    approved.refresh_from_db()
    assert (approved.status, approved.reviewed_by) == (Claim.Status.PENDING, None)
    assert approved.history.latest().history_change_reason == reason_key("claim.reopened", "审核有误")
    assert "审核有误" in approved.worker.user.notifications.latest("pk").body


def test_a_refused_claim_is_reopened(officer):
    refused = reviewed(officer, status=Claim.Status.REJECTED)
    services.claim_reopen(claim=refused, user=officer, reason="补充了材料")
    refused.refresh_from_db()
    assert (refused.status, refused.review_note) == (Claim.Status.PENDING, "")


def test_reopening_needs_a_reason(officer):
    approved = reviewed(officer)
    with pytest.raises(services.SubsidyError):
        services.claim_reopen(claim=approved, user=officer, reason=" ")
    assert Claim.objects.get(pk=approved.pk).status == Claim.Status.APPROVED


def test_a_claim_in_a_payment_batch_cannot_be_reopened_and_says_why(officer, finance):
    approved = reviewed(officer)
    batch = draft_batch([approved], made_by=finance[0])
    with pytest.raises(services.SubsidyError, match=batch.number):
        services.claim_reopen(claim=approved, user=officer, reason="审核有误")
    assert Claim.objects.get(pk=approved.pk).status == Claim.Status.APPROVED


def test_a_pending_claim_has_nothing_to_reopen(officer):
    pending = claim(policy=policy(), status=Claim.Status.PENDING)
    with pytest.raises(services.SubsidyError):
        services.claim_reopen(claim=pending, user=officer, reason="审核有误")


def test_the_officer_reopens_from_the_claim_page(client, officer):
    approved = reviewed(officer)
    client.force_login(officer)
    page = client.get(reverse("subsidies:claim_detail", args=[approved.pk])).content.decode()
    assert reverse("subsidies:claim_reopen", args=[approved.pk]) in page
    client.post(reverse("subsidies:claim_reopen", args=[approved.pk]), {"reason": "审核有误"})
    assert Claim.objects.get(pk=approved.pk).status == Claim.Status.PENDING


def test_finance_cannot_reopen_a_claim(client, officer, finance):
    approved = reviewed(officer)
    client.force_login(finance[0])
    assert client.post(reverse("subsidies:claim_reopen", args=[approved.pk]), {"reason": "x"}).status_code == 403


# Certificates --------------------------------------------------------------------------------

def test_reinstating_a_certificate_undoes_the_unrecovered_reversal_of_its_paid_claim(officer, finance):
    paid = claim(policy=policy())
    approved_batch([paid], made_by=finance[0], approved_by=finance[1], paid=True)
    certificate = paid.certificate
    certificate_revoke(certificate=certificate, reason="证书造假", user=UserFactory(role=Role.CERTIFICATION_OFFICER))
    assert Claim.objects.filter(reverses=paid).exists()
    paid.policy.refresh_from_db()
    paid_before = paid.policy.paid
    certificate_reinstate(certificate=certificate, reason="复核后证书真实", user=UserFactory(
        role=Role.CERTIFICATION_OFFICER))
    certificate.refresh_from_db()
    assert certificate.is_valid and certificate.revoked_reason == ""
    assert certificate.history.latest().history_change_reason == reason_key("certificate.reinstated", "复核后证书真实")
    assert not Claim.objects.filter(reverses=paid).exists()
    paid.policy.refresh_from_db()
    assert paid.policy.paid == paid_before + paid.amount


def test_a_recovered_reversal_stays_when_the_certificate_is_reinstated(officer, finance):
    import datetime

    paid = claim(policy=policy())
    approved_batch([paid], made_by=finance[0], approved_by=finance[1], paid=True)
    certificate_revoke(certificate=paid.certificate, reason="证书造假", user=officer)
    reversal = Claim.objects.get(reverses=paid)
    services.recovery_mark(claim=reversal, user=finance[0], recovered_on=datetime.date(2025, 3, 1),
                           reference="退回001", reason="职工退回")
    certificate_reinstate(certificate=paid.certificate, reason="复核后证书真实", user=officer)
    assert Claim.objects.filter(pk=reversal.pk).exists()


def test_a_valid_certificate_cannot_be_reinstated(officer):
    made = claim(policy=policy())
    with pytest.raises(Exception, match="."):
        certificate_reinstate(certificate=made.certificate, reason="x", user=officer)
