"""A closed entry window says so with its dates (issue 20), as nominations and class registration do
(zhangwan.windows): the competition's page and the liaison's entry page disable the entry buttons with
that reason, and a refused entry gives the same dates."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from competitions.models import Competition, Entry
from competitions.tests.factories import competition, event, welder

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def _local(moment):
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _page(client, user, name, pk):
    client.force_login(user)
    return client.get(reverse(name, args=[pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def test_before_the_window_the_liaison_sees_when_entries_open_and_a_disabled_button(client, liaison):
    opens, closes = timezone.now() + 3 * DAY, timezone.now() + 9 * DAY
    ev = event(comp=competition(registration_opens=opens, registration_closes=closes))
    page = _page(client, liaison, "competitions:competition_detail", ev.competition_id)
    note = page[page.find('id="entries-closed"'):][:300]
    assert "报名时间为" in note and _local(opens) in note and _local(closes) in note
    assert 'disabled aria-describedby="entries-closed"' in page
    assert reverse("competitions:liaison_enter", args=[ev.pk]) not in page


def test_after_the_window_the_worker_sees_when_it_closed(client, role_users):
    closes = timezone.now() - 2 * DAY
    ev = event(comp=competition(registration_opens=closes - 9 * DAY, registration_closes=closes), self_entry=True)
    page = _page(client, role_users["worker"], "competitions:competition_detail", ev.competition_id)
    note = page[page.find('id="entries-closed"'):][:300]
    assert "报名已于" in note and _local(closes) in note
    assert 'disabled aria-describedby="entries-closed"' in page
    assert reverse("competitions:enter_self", args=[ev.pk]) not in page


def test_the_entry_page_of_a_closed_window_gives_the_dates_and_refuses_with_them(client, liaison, organization):
    closes = timezone.now() - DAY
    ev = event(comp=competition(registration_opens=closes - 9 * DAY, registration_closes=closes))
    worker = welder(organization)
    page = _page(client, liaison, "competitions:liaison_enter", ev.pk)
    assert _local(closes) in page[page.find('id="entries-closed"'):][:300]
    assert 'type="submit" disabled aria-describedby="entries-closed"' in page
    response = client.post(reverse("competitions:liaison_enter", args=[ev.pk]), {"workers": str(worker.pk)},
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert _local(closes) in response.content.decode() and not Entry.objects.exists()


def test_published_results_close_the_entries_whatever_the_window(client, liaison):
    ev = event()
    Competition.objects.filter(pk=ev.competition_id).update(results_published=True)
    page = _page(client, liaison, "competitions:competition_detail", ev.competition_id)
    assert "成绩已公布" in page[page.find('id="entries-closed"'):][:300]


def test_an_open_window_shows_no_note_and_live_buttons(client, liaison):
    ev = event()
    page = _page(client, liaison, "competitions:competition_detail", ev.competition_id)
    assert 'id="entries-closed"' not in page and reverse("competitions:liaison_enter", args=[ev.pk]) in page
