"""The demo's competitions plan gives the seed report's 2022 figures, without a database (the loaded
demo is checked by zhangwan/reports/tests/test_report_2022.py)."""

from zhangwan.demo import competitions as demo

# The 2022 report (shared/seed): nearly 20 competitions, 6 leading ones with 350 participants, 77 workers
# at city or provincial level, 86 winners, 20 projects shortlisted for the city's double innovation.
SEED = {"competitions": 20, "leading": 6, "participants": 350, "external": 77, "winners": 86, "projects": 20}


def test_the_2022_plan_adds_up_to_the_seed_figures():
    leading = demo.LEADING[2022]
    city, province = demo.EXTERNAL[2022]
    places = {spec.trade: (sum(spec.tiers), spec.tiers[0] + spec.tiers[1]) for spec in leading}

    assert len(leading) == SEED["leading"]
    assert len({spec.trade for spec in leading}) == len(leading)  # one per trade
    assert len(leading) + len(demo.OTHERS[2022]) == SEED["competitions"]
    assert sum(spec.participants for spec in leading) == SEED["participants"]  # a team counts its members
    assert any(spec.team for spec in leading)  # team entries exist, and are counted by their members
    assert all(5 <= spec.judges <= 7 for spec in leading)

    advancing = sum(places.get(e.trade, (0, 0))[1] for e in city.events)
    direct = sum(e.direct for e in city.events) + sum(e.direct for e in province.events)
    assert advancing + direct == SEED["external"]

    district_winners = sum(spec.winners for spec in leading)
    new_winners = sum(e.direct_tiered for e in city.events) + sum(e.direct_tiered for e in province.events)
    assert district_winners + new_winners == SEED["winners"]

    assert demo.INNOVATION_COUNTS[2022][0] == SEED["projects"]


def test_team_members_are_distinct_workers_of_the_trade_and_the_team_places_earn_no_advancement():
    teams = [spec.team for spec in demo.LEADING[2022] if spec.team]
    for team in teams:
        assert team.size >= 2 and len(team.teams) >= sum(team.tiers)
        assert len({name for _org, name in team.teams}) == len(team.teams)
