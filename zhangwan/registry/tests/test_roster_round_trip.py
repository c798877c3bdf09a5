"""A liaison's own roster export is the import template filled in: the whole identity numbers (their own
organization's only) in Text-formatted cells, the template's columns, so re-uploading it changes
nothing and an edited cell changes only that."""

import datetime
import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from zhangwan.excel import HEADER_ROW
from zhangwan.registry import roster
from zhangwan.registry.models import Worker, WorkerTrade
from zhangwan.registry.tests.factories import WorkerFactory, trade

pytestmark = pytest.mark.django_db


@pytest.fixture
def ours(organization):
    workers = [WorkerFactory(employer=organization, team_leader=n == 0, poverty_registered=n == 1,
                             insured_since=datetime.date(2015, 3, 1) if n == 2 else None) for n in range(3)]
    WorkerTrade.objects.create(worker=workers[0], trade=trade(), started_year=2012)
    return workers


def _export(client):
    return load_workbook(io.BytesIO(client.get(reverse("registry:roster_export")).content))


def _upload(client, workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = client.post(reverse("registry:roster_import"), {"file": SimpleUploadedFile("r.xlsx", buffer.getvalue())},
                           HTTP_ACCEPT_LANGUAGE="en")
    return [str(m) for m in get_messages(response.wsgi_request)], response


def test_the_liaisons_export_is_the_template_filled_in_with_whole_numbers_as_text(client, liaison, ours):
    client.force_login(liaison)
    sheet = _export(client).worksheets[0]
    assert [c.value for c in sheet[2]] == roster.column_labels()
    numbers = {row[1].value: row[1].number_format for row in sheet.iter_rows(min_row=3)}
    assert {w.id_number for w in ours} <= set(numbers) and set(numbers.values()) == {"@"}


def test_reimporting_the_export_changes_nothing_and_an_edit_changes_only_that(client, liaison, organization, ours):
    client.force_login(liaison)
    before = Worker.objects.count()
    workbook = _export(client)
    said, response = _upload(client, workbook)
    assert response.status_code == 302, response.context["errors"]
    assert said == [f"Imported: 0 new, 0 updated, {len(workbook.worksheets[0]['A']) - HEADER_ROW} unchanged."]
    sheet = workbook.worksheets[0]
    row = next(r for r in sheet.iter_rows(min_row=3) if r[1].value == ours[1].id_number)
    row[2].value = "13700000001"
    said, _response = _upload(client, workbook)
    assert said[-1].startswith("Imported: 0 new, 1 updated,")
    assert Worker.objects.count() == before
    assert Worker.objects.get(pk=ours[1].pk).mobile == "13700000001"
    assert Worker.objects.get(pk=ours[0].pk).mobile == ours[0].mobile and Worker.objects.get(pk=ours[0].pk).team_leader


def test_every_template_formats_its_identity_number_column_as_text(client, liaison):
    client.force_login(liaison)
    sheet = load_workbook(io.BytesIO(client.get(reverse("registry:roster_template")).content)).worksheets[0]
    assert sheet.column_dimensions["B"].number_format == "@"


def test_staff_without_the_permission_still_get_masked_numbers(client, role_users, ours):
    client.force_login(role_users["competitions_officer"])
    response = client.get(reverse("registry:roster_export"))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=3, values_only=True))
    assert rows and all("********" in r[1] for r in rows)


def _rows(client):
    return {row[1]: row for row in _export(client).worksheets[0].iter_rows(min_row=HEADER_ROW + 1, values_only=True)}


def test_the_export_gives_the_first_trade_and_the_current_employments_start(client, liaison, organization, ours):
    from zhangwan.registry.models import Employment

    WorkerTrade.objects.create(worker=ours[0], trade=trade("6-18-01-01"), started_year=2018)
    Employment.objects.create(worker=ours[1], organization=organization, started_on=datetime.date(2016, 4, 1),
                              ended_on=datetime.date(2019, 12, 31))
    Employment.objects.create(worker=ours[1], organization=organization, started_on=datetime.date(2020, 1, 2))
    client.force_login(liaison)
    rows = _rows(client)
    assert rows[ours[0].id_number][6:8] == ("6-18-02-04", 2012)  # the trade held longest, not the newest
    assert rows[ours[1].id_number][8] == datetime.datetime(2020, 1, 2)  # the open employment, not the ended one
    assert rows[ours[2].id_number][6:9] == (None, None, None)


def test_the_export_costs_the_same_queries_for_12_more_workers(client, liaison, organization, ours):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhangwan.registry.models import Employment

    def export_queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("registry:roster_export")).status_code == 200
        return len(captured.captured_queries)

    client.force_login(liaison)
    export_queries()  # the first fills per-process caches
    few, rows = export_queries(), len(_rows(client))
    for worker in WorkerFactory.create_batch(12, employer=organization):
        WorkerTrade.objects.create(worker=worker, trade=trade(), started_year=2015)
        Employment.objects.create(worker=worker, organization=organization, started_on=datetime.date(2021, 3, 1))
    assert len(_rows(client)) == rows + 12
    assert export_queries() == few
