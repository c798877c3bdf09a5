import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from zhangwan.registry.tests.factories import WorkerFactory


@pytest.fixture
def workers(organization, other_organization):
    ours = [WorkerFactory(employer=organization, name=f"本厂{n}") for n in range(60)]
    theirs = [WorkerFactory(employer=other_organization, name=f"外厂{n}") for n in range(5)]
    return ours, theirs


def test_liaison_sees_only_their_organization(client, liaison, workers):
    client.force_login(liaison)
    page = client.get(reverse("registry:roster")).content.decode()
    assert "本厂0" in page and "外厂0" not in page


def test_roster_is_paginated(client, liaison, workers):
    client.force_login(liaison)
    response = client.get(reverse("registry:roster"))
    assert len(response.context["page"].object_list) == 50
    assert len(client.get(reverse("registry:roster"), {"page": 2}).context["page"].object_list) == 11


@pytest.mark.parametrize("page", ["abc", "-1", "99999", ""])
def test_a_bad_page_number_does_not_break_the_list(client, liaison, workers, page):
    client.force_login(liaison)
    assert client.get(reverse("registry:roster"), {"page": page}).status_code == 200


def test_search_by_name(client, liaison, workers):
    client.force_login(liaison)
    response = client.get(reverse("registry:roster"), {"q": "本厂5"})
    names = {w.name for w in response.context["page"]}
    assert names == {"本厂5"} | {f"本厂5{n}" for n in range(10)}


def test_liaison_cannot_search_by_a_full_identity_number(client, liaison, workers):
    client.force_login(liaison)
    target = workers[0][7]
    response = client.get(reverse("registry:roster"), {"q": target.id_number})
    assert list(response.context["page"]) == []


def test_officer_with_the_permission_finds_by_full_identity_number(client, role_users, workers):
    client.force_login(role_users["training_officer"])
    target = workers[1][2]
    response = client.get(reverse("registry:roster"), {"q": target.id_number.lower()})
    assert list(response.context["page"]) == [target]
    assert target.id_number in response.content.decode()


def test_identity_numbers_are_masked_for_the_liaison(client, liaison, workers):
    client.force_login(liaison)
    page = client.get(reverse("registry:roster")).content.decode()
    worker = workers[0][0]
    assert worker.masked_id_number in page and worker.id_number not in page


def test_a_bad_filter_value_is_ignored_with_the_form_error(client, liaison, workers):
    client.force_login(liaison)
    response = client.get(reverse("registry:roster"), {"trade": "999999", "gender": "X"})
    assert response.status_code == 200


def test_the_list_costs_a_constant_number_of_queries(client, liaison, organization, django_assert_max_num_queries):
    client.force_login(liaison)
    for _ in range(5):
        WorkerFactory(employer=organization)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("registry:roster"))
    for _ in range(40):
        WorkerFactory(employer=organization)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("registry:roster"))


def test_export_honours_the_filter_and_the_scope_and_masks(client, liaison, workers):
    client.force_login(liaison)
    response = client.get(reverse("registry:roster_export"), {"q": "本厂1"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert {r[0] for r in rows} == {"本厂1"} | {f"本厂1{n}" for n in range(10)}
    # their own organization's whole numbers: the export is the import template filled in
    assert all(len(r[1]) == 18 and "*" not in r[1] for r in rows)
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref.startswith("A2:")


def test_worker_of_another_organization_is_not_found(client, liaison, workers):
    client.force_login(liaison)
    assert client.get(reverse("registry:worker_detail", args=[workers[1][0].pk])).status_code == 404
    assert client.get(reverse("registry:worker_detail", args=[workers[0][0].pk])).status_code == 200
