"""What workers, liaisons and staff see of claims: their words, their scope, constant queries."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from zhangwan.registry.tests.factories import WorkerFactory

from ..models import Claim, Kind
from .factories import approved_batch, claim, policy


@pytest.fixture
def skill(db):
    return policy(Kind.SKILL)


def ineligible(skill, worker):
    made = claim(policy=skill, worker=worker, amount=0, status="pending")
    Claim.objects.filter(pk=made.pk).update(status="ineligible", reasons=["insured_short", "yearly_limit"])
    return made


def test_a_worker_reads_why_a_claim_is_not_paid_in_words(client, role_users, skill):
    made = ineligible(skill, role_users["worker"].worker)
    client.force_login(role_users["worker"])
    page = client.get(reverse("subsidies:mine")).content.decode()
    assert "12" in page and "失业保险" in page and "3" in page
    assert client.get(reverse("subsidies:claim_detail", args=[made.pk])).status_code == 200


def test_staff_open_a_claim_the_engine_made_and_nobody_changed_yet(client, role_users, skill):
    made = ineligible(skill, role_users["worker"].worker)
    client.force_login(role_users["auditor"])
    assert "失业保险" in client.get(reverse("subsidies:claim_detail", args=[made.pk])).content.decode()


def test_a_worker_sees_the_payment_of_a_paid_claim(client, role_users, skill):
    paid = claim(policy=skill, worker=role_users["worker"].worker)
    batch = approved_batch([paid], made_by=role_users["finance_officer"], approved_by=role_users["auditor"],
                           paid=True)
    client.force_login(role_users["worker"])
    page = client.get(reverse("subsidies:mine")).content.decode()
    assert f"REF{batch.pk}" in page and "¥1,500.00" in page


def test_a_liaison_sees_only_their_organizations_claims(client, role_users, skill, other_organization):
    own = claim(policy=skill, worker=role_users["worker"].worker)
    other = claim(policy=skill, worker=WorkerFactory(employer=other_organization))
    client.force_login(role_users["liaison"])
    page = client.get(reverse("subsidies:organization")).content.decode()
    assert own.worker.name in page and other.worker.name not in page
    assert client.get(reverse("subsidies:claim_detail", args=[other.pk])).status_code == 404
    export = client.get(reverse("subsidies:organization") + "?format=xlsx")
    rows = list(load_workbook(io.BytesIO(export.content)).active.values)
    assert [r[0] for r in rows[2:]] == [own.pk]


def test_the_claim_export_masks_identity_numbers_for_the_liaison(client, role_users, skill):
    made = claim(policy=skill, worker=role_users["worker"].worker)
    client.force_login(role_users["liaison"])
    rows = list(load_workbook(io.BytesIO(client.get(reverse("subsidies:organization") + "?format=xlsx").content))
                .active.values)
    assert rows[2][2] == made.worker.masked_id_number


def test_the_officer_filters_claims_by_status(client, role_users, skill):
    waiting = claim(policy=skill, status="pending")
    done = claim(policy=skill)
    client.force_login(role_users["training_officer"])
    page = client.get(reverse("subsidies:claim_list") + "?status=pending").content.decode()
    assert f'value="{waiting.pk}"' in page and f">{done.pk}</a>" not in page


def test_refusing_all_filtered_claims_needs_a_reason_and_keeps_them_waiting(client, role_users, skill):
    claim(policy=skill, status="pending")
    client.force_login(role_users["training_officer"])
    client.post(reverse("subsidies:claim_review"), {"action": "refuse", "scope": "filtered", "query": "status=pending"})
    assert Claim.objects.get().status == "pending"
    client.post(reverse("subsidies:claim_review"), {"action": "refuse", "scope": "filtered", "query": "status=pending",
                                                     "reason": "材料不全"})
    assert Claim.objects.get().status == "rejected"


@pytest.mark.parametrize("query", ["status=pending&" + "x" * 3000, "status=pending&policy=abc",
                                   "status=pending&claimed_min=2022-02-30"], ids=["too long", "policy", "date"])
def test_a_filter_that_cannot_be_read_changes_no_claim(client, role_users, skill, query):
    waiting = claim(policy=skill, status="pending")
    client.force_login(role_users["training_officer"])
    response = client.post(reverse("subsidies:claim_review"), {"action": "approve", "scope": "filtered",
                                                               "query": query}, follow=True,
                           HTTP_ACCEPT_LANGUAGE="en")
    assert "cannot be used to approve or refuse claims" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == "pending"


@pytest.mark.parametrize("name, role", [("subsidies:claim_list", "training_officer"),
                                        ("subsidies:organization", "liaison"), ("subsidies:mine", "worker")])
def test_claim_lists_cost_a_constant_number_of_queries(client, role_users, skill, django_assert_max_num_queries,
                                                       name, role):
    worker = role_users["worker"].worker

    def add(n):
        for _ in range(n):
            made = claim(policy=skill, worker=worker)
            approved_batch([made], made_by=role_users["finance_officer"], approved_by=role_users["auditor"],
                           paid=True)

    client.force_login(role_users[role])
    add(2)
    with django_assert_max_num_queries(30) as few:
        client.get(reverse(name))
    add(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse(name))
