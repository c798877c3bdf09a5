"""Writes with an Idempotency-Key are done once; calls per token are limited; errors are JSON in the
caller's language."""

from datetime import timedelta

import pytest

from training.models import Enrollment
from training.tests.factories import open_class
from zhangwan.api import limits
from zhangwan.api.models import IdempotentRequest
from zhangwan.ratelimit import Limit
from zhangwan.registry.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def test_the_same_key_and_body_replays_the_first_answer(api, organization):
    cls = open_class(capacity=1)
    worker = WorkerFactory(employer=organization)
    url, body = f"/api/v1/classes/{cls.pk}/register/", {"workers": [worker.pk]}
    first = api.post(url, body, key="k-1")
    again = api.post(url, body, key="k-1")
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Enrollment.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(api, organization):
    cls = open_class()
    one, two = WorkerFactory.create_batch(2, employer=organization)
    url = f"/api/v1/classes/{cls.pk}/register/"
    api.post(url, {"workers": [one.pk]}, key="k-2")
    response = api.post(url, {"workers": [two.pk]}, key="k-2")
    assert response.status_code == 422 and response.json()["code"] == "idempotency_key_reused"
    assert list(Enrollment.objects.values_list("worker", flat=True)) == [one.pk]


def test_a_refusal_is_kept_and_writes_nothing(api, organization):
    cls = open_class()
    worker = WorkerFactory(employer=organization)
    enrollment = api.post(f"/api/v1/classes/{cls.pk}/register/", {"workers": [worker.pk]}).json()[0]["enrollment"]
    url = f"/api/v1/enrollments/{enrollment['id']}/cancel/"
    assert api.post(url, key="k-3").status_code == 200
    replay = api.post(url, key="k-3")
    assert replay.status_code == 200 and replay.json()["status"] == "cancelled"
    refused = api.post(url, key="k-4")
    assert refused.status_code == 422 and api.post(url, key="k-4").json() == refused.json()
    assert IdempotentRequest.objects.count() == 2


def test_keys_belong_to_one_token(make_api, organization):
    cls = open_class()
    worker = WorkerFactory(employer=organization)
    url, body = f"/api/v1/classes/{cls.pk}/register/", {"workers": [worker.pk]}
    _t, one = make_api()
    _t, two = make_api()
    one.post(url, body, key="same")
    assert "already registered" in two.post(url, body, key="same", HTTP_ACCEPT_LANGUAGE="en").json()[0]["error"]


def test_calls_over_the_tokens_limit_are_refused(make_api, monkeypatch):
    monkeypatch.setattr(limits, "CALLS", Limit("api-calls", 3, timedelta(minutes=1)))
    _t, api = make_api()
    _t, other = make_api()
    assert [api.get("/api/v1/workers/").status_code for _ in range(4)] == [200, 200, 200, 429]
    refused = api.get("/api/v1/workers/", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.json()["code"] == "throttled" and int(refused["Retry-After"]) > 0
    assert other.get("/api/v1/workers/").status_code == 200


def test_errors_are_in_the_callers_language(api):
    assert api.get("/api/v1/workers/0/", HTTP_ACCEPT_LANGUAGE="en").json() == {"code": "not_found",
                                                                                "message": "Not found."}
    chinese = api.get("/api/v1/workers/0/", HTTP_ACCEPT_LANGUAGE="zh-CN").json()
    assert chinese["code"] == "not_found" and chinese["message"] != "Not found."


def test_keys_older_than_a_day_are_forgotten_twice_safely(api, organization):
    from django.utils import timezone

    from zhangwan.api.tasks import purge_idempotency_keys

    cls = open_class()
    worker = WorkerFactory(employer=organization)
    api.post(f"/api/v1/classes/{cls.pk}/register/", {"workers": [worker.pk]}, key="old")
    api.post(f"/api/v1/classes/{cls.pk}/register/", {"workers": [worker.pk]}, key="new")
    IdempotentRequest.objects.filter(key="old").update(created_at=timezone.now() - timedelta(days=1, seconds=1))
    assert (purge_idempotency_keys(), purge_idempotency_keys()) == (1, 0)
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new"]
