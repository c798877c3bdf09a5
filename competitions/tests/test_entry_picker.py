"""A liaison's competition entries through the person picker (zhangwan/picker.py): the event's
practitioners can be searched, the entered are marked, and a refused entry keeps every tick."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from competitions import services
from competitions.models import Entry
from competitions.tests.factories import close_entries, event, welder
from zhangwan.registry.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def _ids(html):
    return [int(pk) for pk in re.findall(r'data-picker-id="(\d+)"', html)]


def test_the_event_page_searches_its_practitioners_and_marks_the_entered(client, liaison, organization):
    ev = event()
    welders = [welder(organization) for _ in range(25)]
    named = welder(organization, name="欧阳锋")
    WorkerFactory(employer=organization, name="欧阳克")  # no welder: not offered
    services.entry_create(event=ev, organization=organization, user=None, worker=welders[0])
    client.force_login(liaison)
    url = reverse("competitions:liaison_enter", args=[ev.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "26 match" in page and len(_ids(page)) == 20
    assert _ids(client.get(url, {"pick": "rows", "q": "欧阳"}).content.decode()) == [named.pk]
    rows = client.get(url, {"pick": "rows", "q": welders[0].name}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Entered" in rows and "disabled" in rows
    assert welders[0].pk not in client.get(url, {"pick": "ids"}).json()["ids"]


def test_a_refused_entry_keeps_every_tick(client, liaison, organization):
    ev = event()
    ours = [welder(organization) for _ in range(3)]
    close_entries(ev.competition)
    client.force_login(liaison)
    chosen = ",".join(str(w.pk) for w in ours)
    response = client.post(reverse("competitions:liaison_enter", args=[ev.pk]), {"workers": chosen})
    page = response.content.decode()
    assert response.status_code == 200 and not Entry.objects.exists()
    assert f'value="{chosen}"' in page and all(w.name in page for w in ours)


def test_the_entry_page_costs_the_same_queries_for_5_or_60_welders(client, liaison, organization):
    ev = event()
    for _ in range(5):
        welder(organization)
    client.force_login(liaison)
    url = reverse("competitions:liaison_enter", args=[ev.pk])
    client.get(url)

    def queries(params=None):
        with CaptureQueriesContext(connection) as captured:
            client.get(url, params or {})
        return len(captured)

    small = [queries(), queries({"pick": "rows", "page": 2})]
    for _ in range(55):
        welder(organization)
    assert [queries(), queries({"pick": "rows", "page": 2})] == small
