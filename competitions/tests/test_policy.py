"""Scoring rules that are policy live on the event (issue 18, "Constants that are policy"): how many
judges it takes before the highest and lowest marks are dropped, and how far apart two judges'
marks of a part must be to count as a disagreement. Today's values are the defaults."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from competitions import selectors, services
from competitions.models import Event, Result
from competitions.tests.factories import close_entries, event, welder

pytestmark = pytest.mark.django_db


def enter_and_mark(ev, organization, per_judge):
    entry = services.entry_create(event=ev, organization=organization, user=None, worker=welder(organization))
    parts = list(ev.parts.order_by("order"))
    close_entries(ev.competition)
    for assignment, values in zip(ev.judges.order_by("pk"), per_judge, strict=True):
        services.sheet_save(entry=entry, judge=assignment.judge, submit=True,
                            marks={p.pk: Decimal(str(v)) for p, v in zip(parts, values, strict=True)})
    return entry


def test_an_event_defaults_to_todays_rules():
    ev = Event()
    assert (ev.trim_from_judges, ev.disagreement_points) == (5, Decimal("15"))


def test_an_event_trims_from_its_own_judge_minimum(organization):
    ev = event(judges=4, aggregation="trimmed", trim_from_judges=4)
    entry = enter_and_mark(ev, organization, [(10, 10), (20, 20), (30, 30), (100, 100)])
    services.results_compute(event_id=ev.pk)
    # 4 judges are enough for this event: 10 and 100 are dropped, mean(20, 30) = 25
    assert Result.objects.get(entry=entry).final_score == Decimal("25.000")


def test_an_event_asking_for_more_judges_does_not_trim_five(organization):
    ev = event(judges=5, aggregation="trimmed", trim_from_judges=7)
    entry = enter_and_mark(ev, organization, [(10, 10), (20, 20), (30, 30), (40, 40), (100, 100)])
    services.results_compute(event_id=ev.pk)
    assert Result.objects.get(entry=entry).final_score == Decimal("40.000")  # plain mean


def test_disagreement_is_measured_against_the_events_threshold(organization):
    ev = event(judges=2, disagreement_points=Decimal("25"))
    enter_and_mark(ev, organization, [(80, 80), (60, 80)])  # theory 20 points apart
    assert selectors.judge_patterns(ev)[1] == []
    Event.objects.filter(pk=ev.pk).update(disagreement_points=Decimal("15"))
    ev.refresh_from_db()
    assert [d["part"] for d in selectors.judge_patterns(ev)[1]] == ["theory"]


@pytest.mark.parametrize("field, value", [("trim_from_judges", 2), ("disagreement_points", Decimal("0"))])
def test_the_database_refuses_rules_out_of_range(field, value):
    ev = event()
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=ev.pk).update(**{field: value})


def test_the_officer_edits_the_rules_in_the_admin(client, role_users):
    ev = event()
    client.force_login(role_users["competitions_officer"])
    page = client.get(reverse("admin:competitions_event_change", args=[ev.pk])).content.decode()
    assert 'name="trim_from_judges"' in page and 'name="disagreement_points"' in page
    page = client.get(reverse("admin:competitions_competition_change", args=[ev.competition_id])).content.decode()
    assert 'name="events-0-trim_from_judges"' in page and 'name="events-0-disagreement_points"' in page


def test_the_officers_event_page_states_the_events_rules(client, role_users):
    ev = event(aggregation="trimmed", trim_from_judges=6, disagreement_points=Decimal("12.5"))
    client.force_login(role_users["competitions_officer"])
    page = client.get(reverse("competitions:manage_event", args=[ev.pk])).content.decode()
    assert "裁判 6 人及以上时" in page  # from 6 judges
    assert "12.5" in page
