"""Every sheet the platform writes prints the way an office prints it (issue 23): a title row (organization,
report, year, date made, who made it), landscape A4 fitted to the width, the header row on every page, page
numbers in the footer, and one number format per kind of number in every sheet."""

import datetime
import io
from decimal import Decimal
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from certification import tables as certification_tables
from zhangwan.columns import PLAIN, Column, Table
from zhangwan.excel import COUNT, MONEY, workbook_bytes
from zhangwan.registry.tests.factories import make_id_number

from .xlsx import exported_rows, open_workbook, title_row


def assert_prints(sheet):
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
    assert sheet.print_title_rows == "$2:$2"  # the header row, on every printed page
    assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref.startswith("A2:")


def test_a_list_export_has_its_title_row_and_prints_on_landscape_a4(client, role_users, db):
    officer = role_users["certification_officer"]
    client.force_login(officer)
    with translation.override("zh-hans"):
        response = client.get(reverse("certification:certificate_list"), {"format": "xlsx"},
                              HTTP_ACCEPT_LANGUAGE="zh-hans")
        headers = tuple(certification_tables.CERTIFICATES.headers())
    sheet = open_workbook(response).active
    title = title_row(sheet)
    assert title.startswith("张湾区总工会 · ")
    assert f"{timezone.localdate():%Y-%m-%d}" in title and str(officer) in title
    assert exported_rows(response)[0] == headers
    assert_prints(sheet)
    assert sheet.page_setup.fitToHeight == 0  # a list runs down as many pages as it needs


def test_counts_money_and_plain_numbers_have_one_format_each():
    table = Table("List", "list.xlsx", [Column("Trainees", "n"), Column("Paid", "paid"),
                                        Column("Year", "year", number_format=PLAIN), Column("Day", "day")])
    row = SimpleNamespace(n=29752, paid=Decimal("14922000.00"), year=2022, day=datetime.date(2022, 3, 1))
    sheet = open_workbook(workbook_bytes([table.sheet([row])], made_by="王芳", year=2022)).active
    cells = sheet[3]
    assert [c.value for c in cells[:3]] == [29752, 14922000, 2022]
    assert [c.number_format for c in cells] == [COUNT, MONEY, "0", "yyyy-mm-dd"]
    assert "2022" in title_row(sheet) and "王芳" in title_row(sheet)


def test_the_roster_template_filled_in_reports_problems_on_the_rows_people_see(client, liaison):
    client.force_login(liaison)
    book = open_workbook(client.get(reverse("registry:roster_template")))
    assert title_row(book.worksheets[0])
    book.worksheets[0].append(["李四", make_id_number(77), "123", "大专"])  # row 3: a bad mobile
    buffer = io.BytesIO()
    book.save(buffer)
    response = client.post(reverse("registry:roster_import"),
                           {"file": SimpleUploadedFile("filled.xlsx", buffer.getvalue())})
    assert [error.row for error in response.context["errors"]] == [3]
