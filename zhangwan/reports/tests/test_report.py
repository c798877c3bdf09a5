"""The annual report: its figures, its sheets, its language, its masking, and starting it."""

import datetime
import io
import threading
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from certification.models import Certificate
from masters.models import MasterTitle
from masters.tests.factories import nomination, selection_round
from training.services import enrollment_register
from training.tests.factories import open_class
from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.registry.tests.factories import WorkerFactory, trade

from .. import figures, services, workbook
from ..models import AnnualReport

pytestmark = pytest.mark.django_db


def _read(path):
    return openpyxl.load_workbook(path)


@pytest.fixture
def year_data(organization):
    worker = WorkerFactory(employer=organization, id_number="420303199005171234"[:17] + "X")
    cls = open_class(provider=organization)
    enrollment_register(worker=worker, training_class=cls, user=None, channel="staff")
    Certificate.objects.create(number="ZW2024000001", holder=worker, trade=trade(), level=4,
                               issued_on=datetime.date(cls.starts_on.year, 3, 1), source="assessment")
    return worker, cls


def test_the_summary_holds_the_headline_figures_beside_last_year(tmp_path, year_data):
    worker, cls = year_data
    year = cls.starts_on.year
    path = tmp_path / "r.xlsx"
    workbook.build(path, year)
    book = _read(path)
    summary = {row[0]: row[1:] for row in book.worksheets[0].iter_rows(min_row=3, values_only=True)}
    expected = {str(f.label): f.value for f in figures.headline(year)}
    assert {label: values[0] for label, values in summary.items()} == expected
    assert summary[str(figures.headline(year)[0].label)][:3] == (1, 0, 1)  # one trainee, none before
    assert len(book.worksheets[0]._charts) == 2


def test_detail_sheets_mask_identity_numbers_and_keep_types(tmp_path, year_data):
    worker, cls = year_data
    path = tmp_path / "r.xlsx"
    workbook.build(path, cls.starts_on.year)
    book = _read(path)
    text = " ".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row)
    assert worker.id_number not in text and worker.masked_id_number in text
    certificates = book.worksheets[5]
    header, row = list(certificates.iter_rows(min_row=2, max_row=3, values_only=True))
    assert isinstance(row[header.index(header[5])], datetime.datetime)  # a date, not text
    assert certificates.freeze_panes == "A3" and certificates.auto_filter.ref.startswith("A2:")


def test_money_is_a_number_with_two_places(tmp_path):
    from training.subsidies.models import Batch, Kind
    from training.subsidies.tests.factories import approved_batch, claim, policy

    finance = UserFactory(role=Role.FINANCE_OFFICER)
    skill = policy(Kind.SKILL, year=2024)
    approved_batch([claim(policy=skill, amount=Decimal("1500.00"))], made_by=finance, approved_by=UserFactory(),
                   paid=True)
    assert Batch.objects.get().status == "paid"
    path = tmp_path / "r.xlsx"
    workbook.build(path, 2024)
    summary = _read(path).worksheets[0]
    cell = next(row[1] for row in summary.iter_rows(min_row=3) if row[1].value == 1500)
    assert cell.number_format == workbook.MONEY


def test_a_year_without_data_is_an_empty_but_valid_report(tmp_path):
    path = tmp_path / "r.xlsx"
    assert workbook.build(path, 2003) == 0
    book = _read(path)
    assert len(book.worksheets) == len(workbook.SHEETS) + 1
    assert all(row[1] == 0 for row in book.worksheets[0].iter_rows(min_row=3, values_only=True))


def test_sheets_and_columns_are_in_the_users_language(tmp_path):
    path = tmp_path / "r.xlsx"
    with translation.override("en"):
        workbook.build(path, 2003)
    assert _read(path).sheetnames[:3] == ["Summary", "Classes", "Enrollments"]
    with translation.override("zh-hans"):
        workbook.build(path, 2003)
    assert _read(path).sheetnames[0] != "Summary"


def test_the_masters_sheet_lists_nominations_with_their_title(tmp_path):
    round_ = selection_round(year=2024)
    made = nomination(round_, status="conferred")
    MasterTitle.objects.create(nomination=made, worker=made.nominee, trade=made.trade, year=2024, title="大师",
                               number="ZWJN2024001", conferred_on="2024-11-18")
    path = tmp_path / "r.xlsx"
    workbook.build(path, 2024)
    rows = list(_read(path).worksheets[6].iter_rows(min_row=3, values_only=True))
    assert rows[0][0] == made.nominee.name and rows[0][-1] == "ZWJN2024001"


def test_starting_a_report_makes_it_and_the_page_offers_the_file(client, role_users, year_data,
                                                                 django_capture_on_commit_callbacks):
    client.force_login(role_users["training_officer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:report_list"), {"year": year_data[1].starts_on.year})
    report = AnnualReport.objects.get()
    assert response.status_code == 302 and report.status == "done" and report.rows > 0
    download = client.get(reverse("reports:report_download", args=[report.pk]))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert len(book.worksheets) == len(workbook.SHEETS) + 1
    assert str(role_users["training_officer"]) in book.worksheets[0]["A1"].value  # who made it
    page = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert reverse("reports:report_document", args=[report.pk]) in page
    draft = client.get(reverse("reports:report_document", args=[report.pk]))
    import docx

    text = docx.Document(io.BytesIO(b"".join(draft.streaming_content))).paragraphs[0].text
    assert text == f"张湾区总工会 {report.year} 年技能人才工作总结（初稿）"  # in the language of who asked


@pytest.mark.parametrize("year", ["1899", "2999", "abc", ""])
def test_a_year_out_of_range_is_refused_with_a_message(client, role_users, year):
    client.force_login(role_users["training_officer"])
    response = client.post(reverse("reports:report_list"), {"year": year})
    assert response.status_code == 200 and response.context["form"].errors
    assert not AnnualReport.objects.exists()


def test_the_auditor_may_read_but_not_start(client, role_users):
    client.force_login(role_users["auditor"])
    assert client.get(reverse("reports:report_list")).status_code == 200
    assert client.post(reverse("reports:report_list"), {"year": 2022}).status_code == 404
    assert not AnnualReport.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_reports_for_one_year_at_once_make_one(settings):
    from zhangwan.celery import app

    app.conf.task_always_eager = False  # queued, not made: both requests meet while the first waits
    users = [UserFactory(role=Role.TRAINING_OFFICER) for _ in range(4)]
    outcomes, barrier = [], threading.Barrier(4)

    def start(user):
        try:
            barrier.wait()
            services.report_start(year=2022, user=user, language="zh-hans")
            outcomes.append("started")
        except services.ReportError:
            outcomes.append("refused")
        finally:
            connection.close()

    from unittest import mock

    with mock.patch("zhangwan.reports.tasks.make_annual_report.delay_on_commit"):
        threads = [threading.Thread(target=start, args=(u,)) for u in users]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(outcomes) == ["refused", "refused", "refused", "started"]
    assert AnnualReport.objects.count() == 1


def test_a_report_made_again_after_a_crash_is_whole(tmp_path, year_data, role_users):
    report = AnnualReport.objects.create(year=year_data[1].starts_on.year, language="zh-hans",
                                         requested_by=role_users["training_officer"], status="running",
                                         steps_done=3, steps_total=8)
    made = services.report_make(report.pk)
    assert made.status == "done" and made.steps_done == made.steps_total == services.STEPS
    assert services.report_make(report.pk).file.name == made.file.name  # done: not made twice


def test_the_written_summary_carries_the_years_figures_and_their_change(tmp_path, year_data):
    import docx

    from .. import document

    worker, cls = year_data
    year = cls.starts_on.year
    path = tmp_path / "summary.docx"
    with translation.override("zh-hans"):
        document.build(path, year, made_by="王芳")
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert text.startswith(f"张湾区总工会 {year} 年技能人才工作总结（初稿）")
    assert "培训职工1人，上年无此项" in text and cls.course.trade.name_zh in text
    assert "认定职业技能等级证书1本" in text and "四级（中级工）1本" in text
    with translation.override("en"):
        document.build(path, year)
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "1 worker were trained" not in text and "trained 1 worker," in text
    assert cls.course.trade.name_en in text


def test_the_written_summarys_headings_and_captions_keep_with_what_follows(tmp_path, year_data):
    """Printed, a part's heading or a table's caption never stands alone at the foot of a page."""
    import docx

    from .. import document

    path = tmp_path / "summary.docx"
    with translation.override("zh-hans"):
        document.build(path, year_data[1].starts_on.year)
    paragraphs = docx.Document(str(path)).paragraphs
    heads = [p for p in paragraphs if p.text.startswith(("一、", "二、", "三、", "四、", "表"))]
    assert len(heads) >= 4 and all(p.paragraph_format.keep_with_next for p in heads)


def test_numbers_are_written_as_a_report_writes_them():
    from .. import written

    with translation.override("zh-hans"):
        assert [written.count(n) for n in (4, 10_655, 29_752, 123_456, 250_000_000)] == [
            "4", "10,655", "29,752", "12.3万", "2.5亿"]
        assert [written.yuan(Decimal(v)) for v in ("8500.00", "14922000.00", "3935000.00", "250000000")] == [
            "8,500元", "1492.2万元", "393.5万元", "2.5亿元"]
        assert written.change(29_752, 17_935) == "较上年增长 65.9%"
        assert written.change(5, 10) == "较上年下降 50.0%" and written.change(3, 3) == "与上年持平"
    with translation.override("en"):
        assert written.yuan(Decimal("14922000.00")) == "14.92 million yuan"
        assert written.change(29_752, 17_935) == "up 65.9% on the year before"
        assert written.listing(["a", "b", "c"]) == "a, b and c"


def test_every_sheet_of_the_report_prints_and_the_summary_fits_one_page(tmp_path, year_data, role_users):
    from zhangwan.excel import COUNT, MONEY, RATE
    from zhangwan.tests.test_excel_print import assert_prints

    officer = role_users["training_officer"]
    year = year_data[1].starts_on.year
    path = tmp_path / "r.xlsx"
    with translation.override("zh-hans"):
        workbook.build(path, year, made_by=officer)
    book = _read(path)
    for sheet in book.worksheets:
        assert_prints(sheet)
        title = sheet["A1"].value
        assert title.startswith("张湾区总工会") and f"{year}年度" in title and str(officer) in title
    summary = book.worksheets[0]
    assert summary.page_setup.fitToHeight == 1 and summary.print_area.endswith("$A$1:$P$35")  # charts inside
    rows = list(summary.iter_rows(min_row=3))
    trainees = rows[0]
    assert trainees[1].value == 1 and trainees[1].number_format == COUNT and trainees[3].number_format == COUNT
    money = next(row for row in rows if isinstance(row[1].value, (int, float)) and row[1].number_format == MONEY)
    assert money[3].number_format == MONEY
    assert all(row[4].number_format == RATE for row in rows)
    assert all(sheet.page_setup.fitToHeight == 0 for sheet in book.worksheets[1:])  # detail: down many pages


def test_a_superseded_report_can_be_deleted_and_the_list_shows_the_newer(client, role_users, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    officer = role_users["training_officer"]

    def made(minutes_ago):
        return AnnualReport.objects.create(
            year=2022, language="zh-hans", status="done", requested_by=officer,
            created_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
            file=SimpleUploadedFile("r.xlsx", b"x"), document=SimpleUploadedFile("r.docx", b"x"))

    old, new = made(60), made(5)
    client.force_login(officer)
    page = client.get(reverse("reports:report_list")).content.decode()
    assert f'id="delete-report-{old.pk}"' in page and f'id="delete-report-{new.pk}"' not in page
    assert page.count("data-superseded") == 1 and page.count("data-latest") == 1
    assert reverse("reports:report_detail", args=[new.pk]) in client.get(
        reverse("reports:report_detail", args=[old.pk])).content.decode()
    stored = old.file.name
    client.post(reverse("reports:report_delete", args=[new.pk]))  # the newest stays
    assert client.post(reverse("reports:report_delete", args=[old.pk])).status_code == 302
    assert list(AnnualReport.objects.all()) == [new]
    assert not old.file.storage.exists(stored)
    client.force_login(role_users["auditor"])
    assert client.post(reverse("reports:report_delete", args=[new.pk])).status_code in (403, 404)


FAKE_CONVERTER = """#!/bin/sh
# Stands in for LibreOffice: writes <outdir>/<name>.pdf for the file it is given (or fails when told to).
[ -n "$FAIL" ] && exit 1
while [ $# -gt 1 ]; do [ "$1" = "--outdir" ] && out="$2"; shift; done
printf '%%PDF-1.4 summary of %s' "$(basename "$1")" > "$out/$(basename "$1" .xlsx).pdf"
"""


def test_where_a_converter_exists_the_page_offers_the_summary_as_pdf(client, role_users, settings, tmp_path,
                                                                      year_data, monkeypatch):
    converter = tmp_path / "soffice"
    converter.write_text(FAKE_CONVERTER)
    converter.chmod(0o755)
    settings.SUMMARY_PDF_CONVERTER = str(converter)
    officer = role_users["training_officer"]
    report = services.report_make(services.report_start(year=2022, user=officer, language="zh-hans").pk)
    assert report.summary_pdf
    client.force_login(officer)
    assert reverse("reports:report_pdf", args=[report.pk]) in client.get(report.get_absolute_url()).content.decode()
    pdf = client.get(reverse("reports:report_pdf", args=[report.pk]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF") and pdf["Content-Type"] == "application/pdf"

    monkeypatch.setenv("FAIL", "1")  # a converter that fails: the report is made all the same, without a PDF
    report = services.report_make(services.report_start(year=2021, user=officer, language="zh-hans").pk)
    assert report.is_done and report.document and not report.summary_pdf
    assert reverse("reports:report_pdf", args=[report.pk]) not in client.get(report.get_absolute_url()).content.decode()
    assert client.get(reverse("reports:report_pdf", args=[report.pk])).status_code == 404
