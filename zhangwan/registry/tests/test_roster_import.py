import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from zhangwan.history import reason_key
from zhangwan.registry.models import Employment, Worker, WorkerTrade
from zhangwan.registry.tests.factories import make_id_number
from zhangwan.registry.tests.xlsx import HEADERS_EN, HEADERS_ZH, roster_rows, workbook_file

URL = reverse("registry:roster_import")


@pytest.fixture
def client_liaison(client, liaison):
    client.force_login(liaison)
    return client


def post(client, upload):
    return client.post(URL, {"file": upload})


def error_rows(response):
    return [(e.row, e.column, e.message) for e in response.context["errors"]]


def test_it_imports_a_good_file(client_liaison, organization):
    response = post(client_liaison, workbook_file(roster_rows(20)))
    assert response.status_code == 302
    assert Worker.objects.filter(employer=organization).count() == 20 + 1  # + the worker role's record
    worker = Worker.objects.get(id_number=make_id_number(3))
    assert worker.name == "工人3" and worker.education == Worker.Education.SENIOR
    assert str(worker.insured_since) == "2015-03-01" and not worker.poverty_registered
    assert Employment.objects.get(worker=worker).organization == organization
    assert WorkerTrade.objects.get(worker=worker).started_year == 2012
    assert worker.history.first().history_user.username == "liaison"


def test_english_headers_are_accepted(client_liaison):
    assert post(client_liaison, workbook_file(roster_rows(3), headers=HEADERS_EN)).status_code == 302
    assert Worker.objects.filter(name__startswith="工人").count() == 3


def test_importing_the_same_file_again_changes_nothing(client_liaison):
    rows = roster_rows(30)
    post(client_liaison, workbook_file(rows))
    before = (Worker.objects.count(), Worker.history.count(), Employment.objects.count(), WorkerTrade.objects.count())
    response = post(client_liaison, workbook_file(rows))
    assert response.status_code == 302
    after = (Worker.objects.count(), Worker.history.count(), Employment.objects.count(), WorkerTrade.objects.count())
    assert after == before


def test_a_changed_mobile_is_updated_with_history(client_liaison):
    rows = roster_rows(2)
    post(client_liaison, workbook_file(rows))
    rows[1][2] = "13700000001"
    post(client_liaison, workbook_file(rows))
    worker = Worker.objects.get(id_number=rows[1][1])
    assert worker.mobile == "13700000001"
    assert worker.history.first().history_change_reason == reason_key("roster.import")


def test_one_bad_row_in_500_imports_nothing_and_names_the_row(client_liaison):
    rows = roster_rows(500)
    rows[236][1] = rows[236][1][:-1] + ("0" if rows[236][1][-1] != "0" else "1")  # wrong check digit
    response = post(client_liaison, workbook_file(rows))
    assert response.status_code == 200
    assert error_rows(response) == [(238, "身份证号", "身份证号码校验位错误。")] or \
        [(r, c) for r, c, _m in error_rows(response)] == [(238, "身份证号")]
    assert not Worker.objects.filter(name__startswith="工人").exists()
    assert "238" in response.content.decode()


def test_duplicates_inside_the_file_are_reported(client_liaison):
    rows = roster_rows(5)
    rows.append(list(rows[1]))
    response = post(client_liaison, workbook_file(rows))
    assert [(r, c) for r, c, _m in error_rows(response)] == [(7, "身份证号")]
    assert "3" in error_rows(response)[0][2]  # points at the first occurrence, row 3
    assert not Worker.objects.filter(name__startswith="工人").exists()


def test_missing_header_is_reported(client_liaison):
    headers = ["姓名", "手机号"]
    response = post(client_liaison, workbook_file([["张三", "13912345678"]], headers=headers))
    assert [(r, c) for r, c, _m in error_rows(response)] == [(1, "身份证号")]


def test_unknown_header_is_reported(client_liaison):
    headers = ["姓名", "身份证号", "手机号", "工资"]
    response = post(client_liaison, workbook_file([["张三", make_id_number(1), "13912345678", 5000]], headers=headers))
    assert [(r, c) for r, c, _m in error_rows(response)] == [(1, "工资")]


def test_text_file_renamed_xlsx_is_refused(client_liaison):
    upload = SimpleUploadedFile("roster.xlsx", "姓名,身份证号\n张三,1\n".encode())
    response = post(client_liaison, upload)
    assert response.status_code == 200
    assert "不是有效的 Excel" in error_rows(response)[0][2] or "not a valid Excel" in error_rows(response)[0][2]
    assert Worker.objects.count() == 1


def test_empty_workbook_is_refused(client_liaison):
    response = post(client_liaison, workbook_file([], headers=None))
    assert response.status_code == 200 and len(error_rows(response)) == 1


def test_headers_without_rows_are_refused(client_liaison):
    response = post(client_liaison, workbook_file([]))
    assert response.status_code == 200 and len(error_rows(response)) == 1


def test_a_10_mb_file_is_refused_with_its_size(client_liaison):
    upload = SimpleUploadedFile("roster.xlsx", os.urandom(10 * 1024 * 1024))
    response = post(client_liaison, upload)
    assert response.status_code == 200
    assert "10.0" in error_rows(response)[0][2]
    assert Worker.objects.count() == 1


def test_identity_number_typed_as_a_number_is_refused(client_liaison):
    rows = roster_rows(1)
    rows[0][1] = 420303199001011233
    response = post(client_liaison, workbook_file(rows))
    assert [(r, c) for r, c, _m in error_rows(response)] == [(2, "身份证号")]


def test_messages_follow_the_users_language(client_liaison):
    rows = roster_rows(1)
    rows[0][2] = "12345"
    response = client_liaison.post(URL, {"file": workbook_file(rows)}, HTTP_ACCEPT_LANGUAGE="en")
    assert error_rows(response) == [(2, "Mobile", "Enter a mainland mobile number: 11 digits starting with 13 to 19.")]


def test_template_has_the_headers_and_instructions(client_liaison):
    response = client_liaison.get(reverse("registry:roster_template"))
    workbook = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook.worksheets[0][2]] == HEADERS_ZH
    assert any("6-18-02-04" in str(row[1].value) for row in workbook.worksheets[1].iter_rows(min_row=3))


def test_the_template_filled_in_imports(client_liaison):
    response = client_liaison.get(reverse("registry:roster_template"))
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    sheet.append(["李四", make_id_number(77), "13912340000", "大专", None, "是", None, None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert post(client_liaison, SimpleUploadedFile("filled.xlsx", buffer.getvalue())).status_code == 302
    worker = Worker.objects.get(name="李四")
    assert worker.poverty_registered and worker.education == Worker.Education.COLLEGE


def test_a_file_over_the_row_limit_is_refused_before_any_row_is_read(client_liaison, monkeypatch):
    from zhangwan import excel_in

    monkeypatch.setattr(excel_in, "MAX_IMPORT_ROWS", 3)
    response = post(client_liaison, workbook_file(roster_rows(4)))
    assert response.status_code == 200
    assert "3" in error_rows(response)[0][2] and len(error_rows(response)) == 1
    assert Worker.objects.count() == 1
    post(client_liaison, workbook_file(roster_rows(3)))  # three would do
    assert Worker.objects.count() == 4
