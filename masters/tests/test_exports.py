"""Each masters list's Excel export is its column declaration in masters/tables.py (zhangwan/columns.py)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from zhangwan.accounts.roles import Role

from .. import rules, tables
from ..models import Nomination
from .factories import nomination, selection_round

pytestmark = pytest.mark.django_db


def workbook_rows(response) -> list[tuple]:
    return list(load_workbook(io.BytesIO(response.content)).active.values)[1:]  # below the title row


@pytest.mark.parametrize(("name", "table", "role"), [
    ("masters:round_list", tables.ROUNDS, Role.MASTERS_OFFICER),
    ("masters:nomination_list", tables.NOMINATIONS, Role.MASTERS_OFFICER),
    ("masters:incentives", tables.GRANTS, Role.FINANCE_OFFICER),
    ("masters:studios", tables.STUDIOS, Role.AUDITOR),
    ("masters:talk_menu", tables.TALK_MENU, Role.LIAISON),
    ("masters:talk_orders", tables.TALK_ORDERS, Role.AUDITOR),
], ids=lambda value: value if isinstance(value, str) else "")
def test_a_list_exports_its_declared_columns(client, role_users, name, table, role):
    client.force_login(role_users[role])
    response = client.get(reverse(name), {"format": "xlsx"})
    assert response["Content-Disposition"] == f'attachment; filename="{table.name()}"'
    assert list(workbook_rows(response)[0]) == table.headers()


@pytest.mark.parametrize(("name", "table"), [("masters:round_ranking", tables.RANKING),
                                             ("masters:round_conflicts", tables.CONFLICTS)])
def test_a_rounds_list_exports_its_declared_columns_named_by_year(client, role_users, name, table):
    round_ = selection_round()
    nomination(round_)
    client.force_login(role_users[Role.MASTERS_OFFICER])
    response = client.get(reverse(name, args=[round_.pk]), {"format": "xlsx"})
    assert response["Content-Disposition"] == f'attachment; filename="{table.name(year=round_.year)}"'
    assert list(workbook_rows(response)[0]) == table.headers()


def test_the_nominations_export_writes_organization_and_reasons_in_words(client, role_users):
    made = nomination(selection_round(), status=Nomination.Status.INELIGIBLE, reasons=["level"])
    client.force_login(role_users[Role.MASTERS_OFFICER])
    row = workbook_rows(client.get(reverse("masters:nomination_list"), {"format": "xlsx"}))[1]
    assert row[1:4] == (made.nominee.name, str(made.organization or ""), str(made.trade))
    assert row[6] == str(rules.Reason.LEVEL.label)
