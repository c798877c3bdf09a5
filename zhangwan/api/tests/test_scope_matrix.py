"""The API's token × operation × scope matrix: every operation of /api/v1/ called with a token that lacks
the scope it needs is refused (403, code scope_missing) and writes nothing; with only that scope it is
not refused for want of a scope; with another organization's object it answers 404 and writes nothing.
The scope an operation needs is read from its view (`scopes`), so a new operation is walked as soon as
it is declared in OPERATIONS, and an operation missing from OPERATIONS fails the first test."""

import pytest
from django.db import transaction
from django.urls import resolve, reverse

from certification.models import Certificate
from competitions import services as contests
from competitions.tests.factories import event, welder
from training import services as training
from training.subsidies.tests.factories import claim, policy
from training.tests.factories import open_class
from zhangwan.api.models import Scope
from zhangwan.registry.tests.factories import WorkerFactory, trade
from zhangwan.tests.matrix.test_url_matrix import project_url_names
from zhangwan.tests.matrix.writes import rows_written

pytestmark = pytest.mark.django_db
PUBLIC = {"schema", "docs", "not_found"}  # the schema and its reference page hold no data


def worker_row(o):
    return {"workers": [{"id_number": o["new_id_number"], "name": "新职工", "mobile": "13900001111"}]}


# url name → (method, objects → URL kwargs, objects → body or query, objects → kwargs of another
# organization's object, or None where the URL names no object of an organization)
OPERATIONS = {
    "workers": ("get", None, None, None),
    "workers_batch": ("post", None, worker_row, None),
    "worker": ("get", lambda o: {"pk": o["worker"].pk}, None, lambda o: {"pk": o["their_worker"].pk}),
    "classes": ("get", None, None, None),
    "class": ("get", lambda o: {"pk": o["class"].pk}, None, None),
    "class_register": ("post", lambda o: {"pk": o["class"].pk}, lambda o: {"workers": [o["free_worker"].pk]}, None),
    "enrollments": ("get", None, None, None),
    "enrollment": ("get", lambda o: {"pk": o["enrollment"].pk}, None, lambda o: {"pk": o["their_enrollment"].pk}),
    "enrollment_cancel": ("post", lambda o: {"pk": o["enrollment"].pk}, None,
                          lambda o: {"pk": o["their_enrollment"].pk}),
    "events": ("get", None, None, None),
    "event_enter": ("post", lambda o: {"pk": o["event"].pk}, lambda o: {"worker": o["welder"].pk}, None),
    "entries": ("get", None, None, None),
    "entry_withdraw": ("post", lambda o: {"pk": o["entry"].pk}, None, lambda o: {"pk": o["their_entry"].pk}),
    "results": ("get", None, None, None),
    "certificates": ("get", None, None, None),
    "certificate_verify": ("get", None, lambda o: {"number": o["certificate"].number, "name": o["worker"].name},
                           None),
    "claims": ("get", None, None, None),
    "claim": ("get", lambda o: {"pk": o["claim"].pk}, None, lambda o: {"pk": o["their_claim"].pk}),
}


@pytest.fixture
def objects(organization, other_organization):
    own, theirs = WorkerFactory(employer=organization), WorkerFactory(employer=other_organization)
    cls = open_class(capacity=10)
    ev = event()
    their_event = event(name="另一个项目", comp=ev.competition)
    skill = policy()
    certificate = Certificate.objects.create(number="ZW2026100001", holder=own, trade=trade(), level=4,
                                             issued_on="2026-01-10", source="imported")
    return {
        "worker": own, "their_worker": theirs, "free_worker": WorkerFactory(employer=organization),
        "new_id_number": WorkerFactory.build().id_number, "class": cls,
        "enrollment": training.enrollment_register(worker=own, training_class=cls, user=None, channel="staff"),
        "their_enrollment": training.enrollment_register(worker=theirs, training_class=cls, user=None,
                                                         channel="staff"),
        "event": ev, "welder": welder(organization),
        "entry": contests.entry_create(event=their_event, organization=organization, user=None,
                                       worker=welder(organization)),
        "their_entry": contests.entry_create(event=their_event, organization=other_organization, user=None,
                                             worker=welder(other_organization)),
        "certificate": certificate, "claim": claim(policy=skill, worker=own, certificate=certificate),
        "their_claim": claim(policy=skill, worker=theirs),
    }


def needed_scope(method: str, url: str) -> str:
    scopes = resolve(url).func.view_class.scopes
    return scopes[method.upper()] if isinstance(scopes, dict) else scopes


def call(api, method, name, kwargs, data):
    """(status, JSON code, business tables written), the writes rolled back."""
    url = reverse(f"api_v1:{name}", kwargs=kwargs)
    with transaction.atomic():
        before = rows_written()
        response = api.get(url, **(data or {})) if method == "get" else api.post(url, data or {})
        written = sorted(t for t, n in rows_written().items() if n != before.get(t, 0)
                         and not t.startswith("api_"))  # the call log and idempotency keys are the API's own
        transaction.set_rollback(True)
    code = response.json().get("code") if response.get("Content-Type", "").startswith("application/json") \
        and isinstance(response.json(), dict) else None
    return response.status_code, code, written


def test_every_operation_is_in_the_matrix():
    names = {name.split(":", 1)[1] for name in project_url_names() if name.startswith("api_v1:")}
    assert names - PUBLIC == set(OPERATIONS)


def test_a_token_without_the_scope_is_refused_and_writes_nothing(make_api, objects):
    wrong = []
    for name, (method, kwargs, data, _theirs) in OPERATIONS.items():
        scope = needed_scope(method, reverse(f"api_v1:{name}", kwargs=kwargs(objects) if kwargs else None))
        _token, api = make_api(scopes=[s for s in Scope.values if s != scope])
        seen = call(api, method, name, kwargs(objects) if kwargs else None, data(objects) if data else None)
        if seen != (403, "scope_missing", []):
            wrong.append((name, scope, seen))
    assert wrong == []


def test_a_token_with_only_the_scope_is_let_through(make_api, objects):
    wrong = []
    for name, (method, kwargs, data, _theirs) in OPERATIONS.items():
        scope = needed_scope(method, reverse(f"api_v1:{name}", kwargs=kwargs(objects) if kwargs else None))
        _token, api = make_api(scopes=[scope])
        status, code, _written = call(api, method, name, kwargs(objects) if kwargs else None,
                                      data(objects) if data else None)
        if status >= 400:
            wrong.append((name, scope, status, code))
    assert wrong == []


def test_another_organizations_object_is_not_found_and_nothing_is_written(make_api, objects):
    _token, api = make_api()
    wrong = []
    for name, (method, _kwargs, data, theirs) in OPERATIONS.items():
        if theirs is None:
            continue
        seen = call(api, method, name, theirs(objects), data(objects) if data else None)
        if seen[0] != 404 or seen[2]:
            wrong.append((name, seen))
    assert wrong == []
