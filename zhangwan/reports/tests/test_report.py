"""The annual report: its figures, its sheets, its language, its masking, and starting it."""

import datetime
import io
import threading
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

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
    summary = {row[0]: row[1:] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
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
    header, row = list(certificates.iter_rows(max_row=2, values_only=True))
    assert isinstance(row[header.index(header[5])], datetime.datetime)  # a date, not text
    assert certificates.freeze_panes == "A2" and certificates.auto_filter.ref.startswith("A1:")


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
    cell = next(row[1] for row in summary.iter_rows(min_row=2) if row[1].value == 1500)
    assert cell.number_format == workbook.MONEY


def test_a_year_without_data_is_an_empty_but_valid_report(tmp_path):
    path = tmp_path / "r.xlsx"
    assert workbook.build(path, 2003) == 0
    book = _read(path)
    assert len(book.worksheets) == len(workbook.SHEETS) + 1
    assert all(row[1] == 0 for row in book.worksheets[0].iter_rows(min_row=2, values_only=True))


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
    rows = list(_read(path).worksheets[6].iter_rows(min_row=2, values_only=True))
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
    assert made.status == "done" and made.steps_done == made.steps_total == len(workbook.SHEETS) + 1
    assert services.report_make(report.pk).file.name == made.file.name  # done: not made twice
