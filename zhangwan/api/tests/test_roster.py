"""Roster sync: workers changed since a time, page by page; a batch upserted with the Excel import's rules."""

import datetime

import pytest
from django.utils import timezone

from training.subsidies.models import InsuredPeriod
from zhangwan.api.models import Scope
from zhangwan.history import reason_key
from zhangwan.registry.models import TransferRequest, Worker
from zhangwan.registry.tests.factories import WorkerFactory, make_id_number

pytestmark = pytest.mark.django_db
WORKERS, BATCH = "/api/v1/workers/", "/api/v1/workers/batch/"


def row(n, **fields):
    return {"name": f"张{n}", "id_number": make_id_number(n), "mobile": f"138{n:08d}", **fields}


def test_it_lists_the_organizations_workers_changed_since_a_time_page_by_page(api, organization, other_organization):
    WorkerFactory.create_batch(3, employer=organization)
    Worker.objects.update(updated_at=timezone.now() - datetime.timedelta(days=2))
    new = WorkerFactory.create_batch(5, employer=organization)
    WorkerFactory(employer=other_organization)
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    seen, url, params = [], WORKERS, {"changed_since": since, "page_size": 2}
    while url:
        body = api.get(url, **params).json()
        seen += [w["id"] for w in body["results"]]
        url, params = body["next"], {}
    assert seen == [w.pk for w in new]


def test_identity_numbers_are_masked_as_on_the_pages(api, organization):
    worker = WorkerFactory(employer=organization)
    shown = api.get(f"{WORKERS}{worker.pk}/").json()
    assert shown["id_number"] == worker.masked_id_number and "birth_date" not in shown


def test_bank_details_and_insured_periods_only_with_the_subsidies_scope(make_api, organization):
    worker = WorkerFactory(employer=organization, bank_name="农业银行", bank_account="6228480012345678")
    InsuredPeriod.objects.create(worker=worker, start=datetime.date(2020, 1, 1))
    _t, without = make_api(scopes=[Scope.READ_ROSTER])
    _t, with_subsidies = make_api(scopes=[Scope.READ_ROSTER, Scope.SUBSIDIES])
    url = f"{WORKERS}{worker.pk}/"
    assert without.get(url).json()["bank"] is None
    shown = with_subsidies.get(url).json()
    assert shown["bank"] == {"name": "农业银行", "account": "6228 **** 5678"}
    assert shown["insured_periods"] == [{"start": "2020-01-01", "end": None}]


def test_another_organizations_worker_is_not_found(api, other_organization):
    worker = WorkerFactory(employer=other_organization)
    response = api.get(f"{WORKERS}{worker.pk}/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_batch_creates_and_updates_like_the_import(api, organization):
    existing = WorkerFactory(employer=organization, id_number=make_id_number(2), mobile="13800000002")
    response = api.post(BATCH, {"workers": [row(1, trade_code="6-18-02-04", trade_since=2015, team_leader=True),
                                            row(2, name="新名字")]})
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 1, "updated": 1, "unchanged": 0, "held": []}
    created = Worker.objects.get(id_number=make_id_number(1))
    assert created.team_leader and created.trades.get().started_year == 2015
    existing.refresh_from_db()
    assert existing.name == "新名字" and existing.history.first().history_change_reason == reason_key("roster.import")


def test_one_bad_row_writes_nothing_and_names_the_rows(api):
    response = api.post(BATCH, {"workers": [row(1), row(2, mobile="12345"), row(3, trade_code="6-18-02-04"),
                                            row(1)]})
    body = response.json()
    assert response.status_code == 422 and body["code"] == "rows_refused"
    assert [(r["row"], r["column"]) for r in body["rows"]] == [(2, "手机号"), (3, "从事该工种起始年份"),
                                                            (4, "身份证号")]
    assert not Worker.objects.filter(id_number=make_id_number(1)).exists()


def test_row_errors_follow_the_callers_language(api):
    response = api.post(BATCH, {"workers": [row(1, mobile="12345", colour="red")]}, HTTP_ACCEPT_LANGUAGE="en")
    body = response.json()
    assert body["message"] == "Some rows are wrong; nothing was written."
    assert {r["column"] for r in body["rows"]} == {"colour", "Mobile"}


def test_a_person_on_another_roster_is_held_for_the_union(api, other_organization):
    WorkerFactory(employer=other_organization, id_number=make_id_number(5))
    assert api.post(BATCH, {"workers": [row(5)]}).json()["held"] == [1]
    assert TransferRequest.objects.filter(to_organization__name__isnull=False).count() == 1


def test_writing_needs_the_write_scope_and_an_organization(make_api):
    _t, reader = make_api(scopes=[Scope.READ_ROSTER])
    assert reader.post(BATCH, {"workers": [row(1)]}).status_code == 403
    _t, district = make_api("training_officer")
    response = district.post(BATCH, {"workers": [row(1)]})
    assert response.status_code == 403 and not Worker.objects.filter(id_number=make_id_number(1)).exists()


def test_a_bad_body_is_a_json_error_not_a_500(api):
    assert api.post(BATCH, {"workers": "all"}).json()["code"] == "invalid"
    response = api.client.post(BATCH, "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"
    assert api.get(WORKERS, changed_since="yesterday").status_code == 400
