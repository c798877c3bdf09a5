"""The demo data's plan, without a database: the full load is checked by running load_demo, whose
summary prints the figures from the database."""

import datetime
import random
from collections import Counter

import pytest

from certification import demo, services
from certification.models import Application

TRADES = list(demo.TRADE_SHARE)
EDUCATIONS = [value for value, _label in services.Worker.Education.choices]


def population(size=21_000, seed=7):
    """Workers like the registry demo's: one trade each, started 1985–2022, its spread of education."""
    rng = random.Random(seed)
    employers = sorted(demo.DONGFENG_GROUP) + ["十堰华鑫汽车零部件有限公司", "十堰金悦机械有限公司",
                                               "湖北车城智能装备有限公司"]
    return [demo.WorkerRow(pk, f"{pk:018d}", rng.choice(employers),
                           rng.choices(EDUCATIONS, weights=(2, 20, 40, 25, 11, 2))[0],
                           {rng.choice(TRADES): rng.randint(1985, 2022)})
            for pk in range(1, size + 1)]


@pytest.fixture(scope="module")
def plan():
    workers = population()
    return demo.plan_assessed(workers, exclude={1})


def held_before(plan, worker, code, day):
    return {level: d for level, d in plan.held[(worker.pk, code)].items() if d <= day}


@pytest.mark.parametrize("level", [5, 4, 3, 2, 1])
def test_prerequisites_make_a_worker_eligible_and_were_earned_by_the_rules(level):
    rng = random.Random(level)
    on = datetime.date(2022, 9, 17)
    found = 0
    for since in range(1985, 2022):
        for education in ("senior", "college"):
            certificates = demo.prerequisites(rng, since, education, level, on)
            if certificates is None:  # too few years in the trade for the level
                assert on.year - since < 15
                continue
            found += 1
            facts = services.Facts(since, certificates, set(), education)
            assert services.decide(level, demo.RULES[level], facts, on)[0]
            for got, day in certificates.items():
                assert demo.FLOOR <= day <= demo.CUTOFF
                below = {lv: d for lv, d in certificates.items() if lv > got and d < day}
                assert services.decide(got, demo.RULES[got], services.Facts(since, below, set(), education), day)[0]
    assert found


def test_every_decision_is_what_the_rules_give(plan):
    """Statuses and reasons of every application are services.decide's for the worker's certificates
    at the evaluation and the years in the trade at the session date."""
    for session in plan.sessions:
        for a in session.applications:
            facts = services.Facts(a.worker.trades[session.trade],
                                   held_before(plan, a.worker, session.trade, session.evaluated_at.date()),
                                   set(), a.worker.education)
            eligible, reasons = services.decide(session.level, demo.RULES[session.level], facts, session.date)
            assert a.reasons == reasons
            assert eligible == (a.status in (Application.Status.PASSED, Application.Status.FAILED))


def test_applicants_have_the_trade_apply_once_a_year_and_the_demo_worker_is_left_out(plan):
    per_year = Counter()
    for session in plan.sessions:
        for a in session.applications:
            assert session.trade in a.worker.trades
            assert a.worker.pk != 1
            assert session.opens <= a.created_at <= session.closes
            per_year[(a.worker.pk, session.date.year)] += 1
    assert max(per_year.values()) == 1


def test_scores_match_the_outcome(plan):
    for session in plan.sessions:
        for a in session.applications:
            theory, practical, review = a.scores
            if a.status == Application.Status.INELIGIBLE:
                assert a.scores == (None, None, None)
                continue
            needed = [theory, practical] + ([review] if session.level <= 2 else [])
            assert all(v is not None and 0 <= v <= 100 for v in needed)
            assert (review is None) == (session.level > 2)
            passed = all(v >= services.PASS_MARK for v in needed)
            assert passed == (a.status == Application.Status.PASSED)


def test_certificates_are_numbered_without_gaps_in_the_order_of_issue(plan):
    numbers = {}
    for session in plan.sessions:
        for a in session.applications:
            assert bool(a.number) == (a.status == Application.Status.PASSED)
            if a.number:
                assert a.number.startswith(f"ZW{session.issued_on.year}")
                numbers[a.number] = session.issued_on
    for year, last in plan.last.items():
        mine = sorted(n for n in numbers if n.startswith(f"ZW{year}"))
        assert mine == [f"ZW{year}{n:06d}" for n in range(1, last + 1)]
        assert [numbers[n] for n in mine] == sorted(numbers[n] for n in mine)


def test_sessions_fit_their_bodies_and_capacity(plan):
    for session in plan.sessions:
        assert session.level in demo.ACCREDITATIONS[session.body][session.trade]
        admitted = sum(a.status != Application.Status.INELIGIBLE for a in session.applications)
        assert admitted <= session.capacity
        assert session.opens < session.closes < at_noon(session.date)
        assert session.date < session.issued_on <= datetime.date(session.date.year, 12, 19)


def at_noon(day):
    return demo.at(day, 12)


def test_the_years_look_like_a_district_of_30000(plan):
    passed = Counter()
    for session in plan.sessions:
        for a in session.applications:
            if a.status == Application.Status.PASSED:
                passed[(session.date.year, session.level)] += 1
    for year, targets in demo.PASSES.items():
        for level, target in targets.items():
            assert passed[(year, level)] >= 0.95 * target
        assert passed[(year, 5)] > passed[(year, 4)] > passed[(year, 3)] > passed[(year, 2)] > passed[(year, 1)]
    reasons = Counter(d["code"] for s in plan.sessions for a in s.applications
                      if a.status == Application.Status.INELIGIBLE
                      for r in a.reasons for d in r.get("details", [r]))
    assert {"trade_years", "no_certificate", "held_too_short", "already_held"} <= set(reasons)
