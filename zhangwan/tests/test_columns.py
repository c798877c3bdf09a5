"""One declaration of a list's columns drives the page's header and its Excel export (zhangwan/columns.py)."""

import io
import re
from types import SimpleNamespace

from django.urls import reverse
from openpyxl import load_workbook

from certification import tables as certification_tables
from certification.tests.factories import session
from training import tables as training_tables
from training.services import enrollment_register
from training.tests.factories import open_class
from zhangwan.columns import Column, Table
from zhangwan.excel import workbook_bytes
from zhangwan.registry.tests.factories import WorkerFactory


def page_headers(response) -> list[str]:
    head = re.search(r"<thead[^>]*>(.*?)</thead>", response.content.decode(), re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)]


def workbook_headers(response, sheet=0) -> list[str]:
    return list(list(load_workbook(io.BytesIO(response.content)).worksheets[sheet].values)[1])  # below the title


def test_the_certificates_page_and_its_export_show_the_declared_labels(client, role_users):
    client.force_login(role_users["certification_officer"])
    url = reverse("certification:certificate_list")
    declared = certification_tables.CERTIFICATES
    page, export = page_headers(client.get(url)), workbook_headers(client.get(url, {"format": "xlsx"}))
    assert export == declared.headers()
    assert page == [str(c.label) for c in declared.page_columns] + [""]
    assert set(page) - {""} <= set(export)


def test_the_liaisons_enrollments_page_and_its_export_show_the_declared_labels(client, role_users, organization):
    cls = open_class()
    enrollment_register(worker=WorkerFactory(employer=organization), training_class=cls, user=None,
                                 channel="staff")
    client.force_login(role_users["liaison"])
    url = reverse("training:liaison_enrollments")
    declared = training_tables.ENROLLMENTS
    page, export = page_headers(client.get(url)), workbook_headers(client.get(url, {"format": "xlsx"}))
    assert export == declared.headers()
    assert page == [str(c.label) for c in declared.page_columns] + [""]


def test_an_identity_number_is_whole_only_for_who_may_see_it(role_users):
    table = Table("List", "list.xlsx", [Column("Identity number", "id_number", masked=True)])
    row = SimpleNamespace(id_number="420303199001011234")
    assert list(table.rows([row], role_users["certification_officer"])) == [["420303199001011234"]]
    assert list(table.rows([row], role_users["liaison"])) == [["420303********1234"]]


def test_declared_values_that_look_like_formulas_are_written_as_text():
    table = Table("List", "list.xlsx", [Column("Name", "name"), Column("Class", "training_class.title")])
    rows = [SimpleNamespace(name="=HYPERLINK(\"x\")", training_class=SimpleNamespace(title="+1"))]
    sheet = load_workbook(io.BytesIO(workbook_bytes([table.sheet(rows)]))).active
    assert [(c.value, c.data_type) for c in sheet[3]] == [("=HYPERLINK(\"x\")", "s"), ("+1", "s")]


def test_an_applications_export_has_the_declared_columns(client, role_users):
    assessment = session()
    client.force_login(role_users["certification_officer"])
    response = client.get(reverse("certification:manage_session", args=[assessment.pk]), {"format": "xlsx"})
    assert workbook_headers(response) == certification_tables.APPLICATIONS.headers()
