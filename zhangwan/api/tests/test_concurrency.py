"""Registrations through the API from many threads at once, on PostgreSQL: capacity holds, and one
Idempotency-Key sent 20 times at once registers once."""

import pytest

from training.models import Enrollment
from training.tests.factories import open_class
from training.tests.test_concurrency import assert_consistent, run_at_once
from zhangwan.api.models import IdempotentRequest
from zhangwan.registry.tests.factories import WorkerFactory

# THREADS connections at once: the modules that open them share one xdist worker (make test: --dist
# loadgroup), so two never run together and exhaust PostgreSQL's 100 connections ("too many clients").
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("forty-connections")]


def test_40_api_registrations_for_10_seats(make_api, organization):
    cls = open_class(capacity=10)
    people = WorkerFactory.create_batch(40, employer=organization)
    _t, api = make_api()
    url = f"/api/v1/classes/{cls.pk}/register/"
    answers = run_at_once([lambda w=w: api.post(url, {"workers": [w.pk]}).status_code for w in people])
    assert answers == [200] * 40
    assert assert_consistent(cls) == (10, 30)


def test_the_same_key_from_20_threads_registers_once(make_api, organization):
    cls = open_class(capacity=10)
    worker = WorkerFactory(employer=organization)
    _t, api = make_api()
    url, body = f"/api/v1/classes/{cls.pk}/register/", {"workers": [worker.pk]}
    answers = run_at_once([lambda: api.post(url, body, key="one-key") for _ in range(20)])
    assert {a.status_code for a in answers} == {200}
    assert len({a.content for a in answers}) == 1
    assert sum(a.get("Idempotent-Replayed") == "true" for a in answers) == 19
    assert Enrollment.objects.filter(worker=worker).count() == 1 and IdempotentRequest.objects.count() == 1
