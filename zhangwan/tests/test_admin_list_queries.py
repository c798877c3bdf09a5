"""The admin changelists officers work in (claims, workers, enrollments) cost the same number of
queries for a page of 3 rows as for a page of 15, unfiltered and searched (issue 21: "admin lists for
claims, workers and enrollments 0.8–1.2 s")."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhangwan.accounts.roles import Role

pytestmark = pytest.mark.django_db


def queries(client, url, **params) -> int:
    """Queries of the page, asked a second time (the first fills per-process caches: content types…)."""
    client.get(url, params)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured.captured_queries)


def paid_and_reversed_claims(count, *, made_by, approved_by):
    """COUNT claims, each paid in a batch of its own, and each reversed: every row of the list names
    its batch (number and policy) and the claim it reverses (number, worker)."""
    from training.subsidies.models import Claim
    from training.subsidies.tests.factories import approved_batch, claim, policy

    skill = policy(year=2024 + Claim.objects.count())
    for _ in range(count):
        paid = claim(policy=skill)
        approved_batch([paid], made_by=made_by, approved_by=approved_by, paid=True)
        Claim.objects.create(policy=skill, worker=paid.worker, certificate=paid.certificate, amount=-paid.amount,
                             status=Claim.Status.APPROVED, claimed_on=paid.claimed_on, reverses=paid)


def test_the_claims_list_costs_the_same_queries_for_3_or_15_claims_in_batches(client, role_users):
    officer, finance = role_users[Role.TRAINING_OFFICER.value], role_users[Role.FINANCE_OFFICER.value]
    client.force_login(officer)
    url = reverse("admin:subsidies_claim_changelist")
    paid_and_reversed_claims(3, made_by=finance, approved_by=officer)
    few, few_searched = queries(client, url), queries(client, url, q="职工")
    paid_and_reversed_claims(12, made_by=finance, approved_by=officer)
    assert queries(client, url) == few
    assert queries(client, url, q="职工") == few_searched


def test_the_workers_list_costs_the_same_queries_for_3_or_15_workers(client, role_users):
    from zhangwan.registry.tests.factories import WorkerFactory

    client.force_login(role_users[Role.TRAINING_OFFICER.value])
    url = reverse("admin:registry_worker_changelist")
    WorkerFactory.create_batch(3)
    few, few_searched = queries(client, url), queries(client, url, q="职工")
    WorkerFactory.create_batch(12)
    assert queries(client, url) == few
    assert queries(client, url, q="职工") == few_searched


def test_the_enrollments_list_costs_the_same_queries_for_3_or_15_enrollments(client, role_users):
    from training.models import Enrollment
    from training.tests.factories import open_class
    from zhangwan.registry.tests.factories import WorkerFactory

    client.force_login(role_users[Role.TRAINING_OFFICER.value])
    url = reverse("admin:training_enrollment_changelist")

    def enroll(count):
        cls = open_class(capacity=count)
        Enrollment.objects.bulk_create([Enrollment(worker=w, training_class=cls, status=Enrollment.Status.CONFIRMED)
                                        for w in WorkerFactory.create_batch(count)])

    enroll(3)
    few, few_searched = queries(client, url), queries(client, url, q="职工")
    enroll(12)
    assert queries(client, url) == few
    assert queries(client, url, q="职工") == few_searched


def test_the_enrollments_search_finds_by_the_workers_name_or_the_class_title_every_word_matching(client, role_users):
    from training.models import Enrollment
    from training.tests.factories import open_class
    from zhangwan.registry.tests.factories import WorkerFactory

    welding, fitting = open_class(title="焊工培训班"), open_class(title="钳工培训班")
    wang, li = WorkerFactory(name="王小明"), WorkerFactory(name="李大海")
    for worker in (wang, li):
        for cls in (welding, fitting):
            Enrollment.objects.create(worker=worker, training_class=cls)
    client.force_login(role_users[Role.TRAINING_OFFICER.value])
    url = reverse("admin:training_enrollment_changelist")

    def found(term):
        shown = client.get(url, {"q": term}).context["cl"].result_list
        return {(e.worker.name, e.training_class.title) for e in shown}

    assert found("小明") == {("王小明", "焊工培训班"), ("王小明", "钳工培训班")}
    assert found("焊工") == {("王小明", "焊工培训班"), ("李大海", "焊工培训班")}
    assert found("大海 钳工") == {("李大海", "钳工培训班")}
    assert found("无此人") == set()
