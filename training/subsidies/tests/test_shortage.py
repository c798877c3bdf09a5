"""The shortage list: kept by the training officer on its pages, with history, read by the others."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from zhangwan.registry.tests.factories import trade

from ..models import ShortageOccupation

ENTRY = {"level": 4, "valid_from": "2024-01-01", "valid_to": "2024-12-31", "source": "十人社发〔2024〕3号"}


def test_the_training_officer_adds_and_changes_an_entry_with_its_history(client, role_users):
    client.force_login(role_users["training_officer"])
    robot = trade("6-30-99-00")
    response = client.post(reverse("subsidies:shortage_create"), {**ENTRY, "trade": robot.pk})
    assert response.status_code == 302
    entry = ShortageOccupation.objects.get()
    client.post(reverse("subsidies:shortage_edit", args=[entry.pk]), {**ENTRY, "trade": robot.pk,
                                                                      "valid_to": "2024-06-30"})
    entry.refresh_from_db()
    assert str(entry.valid_to) == "2024-06-30"
    assert [h.history_user for h in entry.history.all()] == [role_users["training_officer"]] * 2
    assert "6-30-99-00" in client.get(reverse("subsidies:shortage_list")).content.decode()


def test_a_period_ending_before_it_starts_and_a_second_entry_on_one_day_are_refused_in_words(client, role_users):
    client.force_login(role_users["training_officer"])
    robot = trade("6-30-99-00")
    client.post(reverse("subsidies:shortage_create"), {**ENTRY, "trade": robot.pk})
    again = client.post(reverse("subsidies:shortage_create"), {**ENTRY, "trade": robot.pk}).content.decode()
    backwards = client.post(reverse("subsidies:shortage_create"), {**ENTRY, "trade": robot.pk, "level": 3,
                                                                   "valid_to": "2023-12-31"}).content.decode()
    assert ShortageOccupation.objects.count() == 1
    assert "已" in again and "截止日早于起始日" in backwards


@pytest.mark.parametrize("role", ["finance_officer", "auditor"])
def test_the_others_read_and_export_the_list_but_cannot_change_it(client, role_users, role):
    ShortageOccupation.objects.create(trade=trade("6-30-99-00"), level=4, valid_from="2024-01-01",
                                      valid_to="2024-12-31", source="十人社发〔2024〕3号")
    client.force_login(role_users[role])
    page = client.get(reverse("subsidies:shortage_list")).content.decode()
    assert "十人社发〔2024〕3号" in page and reverse("subsidies:shortage_create") not in page
    sheet = load_workbook(io.BytesIO(client.get(reverse("subsidies:shortage_list") + "?format=xlsx").content)).active
    assert [c.value for c in sheet[3]][:1] == ["6-30-99-00"]
    assert client.get(reverse("subsidies:shortage_create")).status_code == 403
