"""The nominee is chosen with the person picker (zhangwan/picker.py), not a dropdown of every worker:
the page sends one page of matches, searches on the server, marks the already nominated, and keeps the
chosen nominee when the form comes back with an error."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhangwan.registry.models import Worker
from zhangwan.registry.tests.factories import WorkerFactory, trade

from ..models import Nomination
from .factories import nomination, qualified_worker, selection_round
from .test_pages import DAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_round():
    today = timezone.localdate()
    return selection_round(year=today.year, nominations_open=today - 5 * DAY, nominations_close=today + 5 * DAY,
                           review_opens=today + 6 * DAY, review_closes=today + 30 * DAY)


def _ids(html):
    return [int(pk) for pk in re.findall(r'data-picker-id="(\d+)"', html)]


def test_the_officer_page_sends_one_page_of_matches_not_every_worker(client, role_users, open_round):
    for _ in range(30):
        WorkerFactory()
    client.force_login(role_users["masters_officer"])
    url = reverse("masters:nomination_new")
    page = client.get(url).content.decode()
    assert len(_ids(page)) == 20 and "<option" not in page.split('name="nominee"')[0][-200:]
    named = WorkerFactory(name="欧阳锋")
    assert _ids(client.get(url, {"pick": "rows", "q": "欧阳锋"}).content.decode()) == [named.pk]
    assert 'type="radio"' in client.get(url, {"pick": "rows"}).content.decode()
    assert client.get(url, {"pick": "ids"}).status_code == 400  # one nominee: nothing to choose all of


def test_the_already_nominated_are_marked(client, liaison, organization, open_round):
    worker = qualified_worker(employer=organization)
    nomination(open_round, worker=worker, status=Nomination.Status.DRAFT, created_by=liaison, source="organization")
    client.force_login(liaison)
    rows = client.get(reverse("masters:nomination_new"), {"pick": "rows", "q": worker.name},
                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _ids(rows) == [worker.pk] and "Already nominated" in rows and "disabled" in rows


def test_a_form_error_keeps_the_chosen_nominee(client, liaison, organization, open_round):
    worker = qualified_worker(employer=organization)
    client.force_login(liaison)
    response = client.post(reverse("masters:nomination_new"), {"nominee": worker.pk, "trade": trade().pk,
                                                               "statement": "", "achievements": "a"})
    page = response.content.decode()
    assert response.status_code == 200 and not Nomination.objects.exists()
    assert f'name="nominee" id="id_nominee" value="{worker.pk}"' in page and worker.name in page


def test_the_officer_page_costs_the_same_queries_for_30_or_300_workers(client, role_users, open_round):
    for _ in range(30):
        WorkerFactory()
    client.force_login(role_users["masters_officer"])
    url = reverse("masters:nomination_new")
    client.get(url)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        return len(captured)

    small = queries()
    more = [WorkerFactory.build() for _ in range(270)]
    for worker in more:
        worker.employer.save()
        worker.employer_id = worker.employer.pk
        worker.fill_derived_fields()
    Worker.objects.bulk_create(more)
    assert queries() == small
