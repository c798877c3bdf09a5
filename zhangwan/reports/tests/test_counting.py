"""What the figures count (issue 18, "Counting"): a team entry counts each of its members as a
participant and, when it wins, as a winner; "industrial-worker training bases" are bases of that
kind only."""

import datetime
from decimal import Decimal

import pytest

from competitions import selectors
from competitions.models import Competition, Entry, Result
from competitions.tests.factories import competition, event
from training.models import TrainingBase
from zhangwan.registry.tests.factories import WorkerFactory

from .. import figures
from ..dashboard import competitors_by_level

pytestmark = pytest.mark.django_db

YEAR = 2024


def entry(ev, organization, bib, *, worker=None, members=(), tier=""):
    e = Entry.objects.create(event=ev, organization=organization, bib=bib, worker=worker,
                             team_name="" if worker else f"队{bib}")
    e.members.set(members)
    Result.objects.create(entry=e, rank=bib, tier=tier)
    return e


@pytest.fixture
def contests(organization):
    """A leading district competition: one individual first prize, a team of three with a second
    prize and a team of two without one; a city competition held elsewhere with a team of two."""
    day = datetime.date(YEAR, 6, 1)
    leading = competition(name="区赛", year=YEAR, leading=True, starts_on=day, ends_on=day)
    solo = event(comp=leading, name="个人赛")
    teams = event(comp=leading, name="团体赛", team=True, max_team_size=3)
    entry(solo, organization, 1, worker=WorkerFactory(employer=organization), tier="first")
    entry(teams, organization, 1, members=WorkerFactory.create_batch(3, employer=organization), tier="second")
    entry(teams, organization, 2, members=WorkerFactory.create_batch(2, employer=organization))
    city = competition(name="市赛", year=YEAR, level=Competition.Level.CITY, external=True, starts_on=day,
                       ends_on=day)
    entry(event(comp=city, name="团体赛", team=True, max_team_size=2), organization, 1,
          members=WorkerFactory.create_batch(2, employer=organization), tier="third")
    return organization


def test_the_report_counts_team_members_as_participants_and_winners(contests):
    counts = figures.competitions(YEAR)
    assert (counts["participants"], counts["external"], counts["winners"]) == (6, 2, 6)
    assert figures.competitions(YEAR, contests)["participants"] == 6


def test_the_dashboard_counts_team_members_by_level(contests):
    counts = competitors_by_level(YEAR)
    assert (counts[f"entered_{YEAR}"], counts[f"won_{YEAR}"]) == (8, 6)
    assert (counts[f"entered_{YEAR}_district"], counts[f"won_{YEAR}_district"]) == (6, 4)
    assert (counts[f"entered_{YEAR}_city"], counts[f"won_{YEAR}_city"]) == (2, 2)
    assert counts[f"entered_{YEAR - 1}"] == 0


def test_the_year_comparison_counts_team_members(contests):
    (row,) = selectors.year_figures([YEAR])
    assert (row["participants"], row["leading_participants"], row["city_provincial"]) == (8, 6, 2)
    assert (row["winners"], row["winners_by_level"]) == (6, {"district": 4, "city": 2})


def test_only_industrial_worker_training_bases_are_counted(organization):
    day = datetime.date(YEAR, 3, 1)
    for n, kind in enumerate(TrainingBase.Kind):
        TrainingBase.objects.create(name=f"基地{n}", kind=kind, host=organization, designated_on=day,
                                    funding=Decimal("0"))
    assert figures.training_bases(YEAR) == 1
    assert figures.training_bases(YEAR, organization) == 1
