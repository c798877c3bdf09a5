"""The demo data's plan, without a database: the full load is checked by running load_demo, whose
summary prints the same figures from the database."""

import datetime
import random
from types import SimpleNamespace

import pytest

from competitions import demo


def district_places(year):
    """(winners, advancing) per trade of the year's leading competitions."""
    return {spec.trade: (sum(spec.tiers), spec.tiers[0] + spec.tiers[1]) for spec in demo.LEADING[year]}


@pytest.mark.parametrize("year", sorted(demo.FIGURES))
def test_the_plan_adds_up_to_the_report_figures(year):
    figures = demo.FIGURES[year]
    leading = demo.LEADING[year]
    city, province = demo.EXTERNAL[year]
    places = district_places(year)

    assert len(leading) == figures["leading"]
    assert len({spec.trade for spec in leading}) == len(leading)  # one per trade
    assert len(leading) + len(demo.OTHERS[year]) == figures["competitions"]
    assert sum(spec.entrants for spec in leading) == figures["participants"]
    assert all(5 <= spec.judges <= 7 for spec in leading)

    advancing = sum(places.get(e.trade, (0, 0))[1] for e in city.events)
    direct = sum(e.direct for e in city.events) + sum(e.direct for e in province.events)
    assert advancing + direct == figures["external"]

    district_winners = sum(winners for winners, _advancing in places.values())
    new_winners = sum(e.direct_tiered for e in city.events) + sum(e.direct_tiered for e in province.events)
    assert district_winners + new_winners == figures["winners"]

    assert demo.INNOVATION_COUNTS[year][0] == figures["projects"]


@pytest.mark.parametrize("year", sorted(demo.FIGURES))
def test_external_places_can_be_filled_by_whom_the_plan_sends(year):
    city, province = demo.EXTERNAL[year]
    places = district_places(year)
    city_tiers = {}
    for e in city.events:
        advancing = places.get(e.trade, (0, 0))[1]
        assert e.direct_tiered <= e.direct
        assert 0 <= sum(e.tiers) - e.direct_tiered <= advancing
        assert advancing + e.direct <= e.field
        city_tiers[e.trade] = sum(e.tiers)
    for e in province.events:
        assert e.advanced <= city_tiers[e.trade]  # only the city's prize winners go on
        assert e.direct_tiered <= e.direct
        assert 0 <= sum(e.tiers) - e.direct_tiered <= e.advanced
        assert e.advanced + e.direct <= e.field


def test_2022_grew_on_2021():
    before, after = demo.FIGURES[2021], demo.FIGURES[2022]
    assert all(after[key] > before[key] for key in after)


def test_names_are_unique_per_year_and_carry_their_year():
    for year in demo.FIGURES:
        names = [spec.name for spec in demo.LEADING[year]] + [spec[0] for spec in demo.OTHERS[year]]
        names += [spec.name for spec in demo.EXTERNAL[year]] + [demo.INNOVATION]
        assert len(names) == len(set(names))
        assert all(f"{year}年" in name for name in names[:len(demo.LEADING[year]) + len(demo.OTHERS[year])])
    for name, _org, _funding in demo.ORGANIZER_AWARDS:
        assert name in {spec.name for year in demo.LEADING for spec in demo.LEADING[year]}


def test_there_are_enough_innovation_projects_for_both_years():
    needed = sum(shortlisted + rejected for shortlisted, rejected in demo.INNOVATION_COUNTS.values())
    assert len(demo.PROJECTS) >= needed
    assert len({title for _org, title in demo.PROJECTS}) == len(demo.PROJECTS)


def test_pick_takes_eligible_workers_of_the_preferred_organizations_first():
    orgs = {"A": SimpleNamespace(pk=1), "B": SimpleNamespace(pk=2)}
    day = datetime.date(2022, 6, 1)
    workers = [demo.WorkerRow(pk=n, id_number=f"{n:018d}", employer=1 if n % 3 else 2,
                              employed_since=datetime.date(2023 if n % 7 == 0 else 2015, 7, 1),
                              trades={demo.WELD: 2023 if n % 11 == 0 else 2010} if n % 2 else {demo.AUTO: 2010})
               for n in range(1, 301)]
    taken = {1}
    chosen = demo.pick(random.Random(1), workers, demo.WELD, day, 40, taken, orgs, preferred=["A"])
    assert len(chosen) == len({w.pk for w in chosen}) == 40
    assert all(demo.eligible(w, demo.WELD, day) and w.employer == 1 and w.pk != 1 for w in chosen)
    assert {w.pk for w in chosen} <= taken

    # Short of preferred workers, the others of the trade fill in; nobody is taken twice.
    more = demo.pick(random.Random(2), workers, demo.WELD, day, 100, taken, orgs, preferred=["A"])
    assert not {w.pk for w in more} & {w.pk for w in chosen}
    assert any(w.employer == 2 for w in more)
    assert all(demo.eligible(w, demo.WELD, day) for w in more)


def test_marks_are_clamped_to_the_part_bounds():
    assert demo.clamp(104.26, 20, 99.5) == demo.Decimal("99.5")
    assert demo.clamp(-3, 20, 99.5) == demo.Decimal("20")
    assert demo.clamp(81.26, 20, 99.5) == demo.Decimal("81.3")
    assert demo.tier_list((1, 2, 0, 1)) == ["first", "second", "second", "excellence"]
