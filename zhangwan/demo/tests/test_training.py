"""The demo's 2022 training plan, without a database: the seed report's 15 union classes, each seat
a worker the class is open to (the loaded demo is checked by zhangwan/reports/tests/test_report_2022.py)."""

import datetime
import random
from types import SimpleNamespace

from training.models import TrainingClass
from zhangwan.demo import training as demo
from zhangwan.demo.registry import ORGANIZATIONS


def test_plan_year_seats_each_worker_once_and_respects_audiences():
    orgs = {name: SimpleNamespace(pk=i, name=name) for i, (name, *_rest) in enumerate(ORGANIZATIONS, start=1)}
    employers = [orgs[name].pk for name, *_rest, weight in ORGANIZATIONS for _ in range(weight)]
    rng = random.Random(7)
    trades = [*demo.TRADE_COURSES, None, None]
    workers = [demo.WorkerRow(pk=n, id_number=f"{n:018d}", employer=rng.choice(employers),
                              team_leader=rng.random() < 0.1, poverty=rng.random() < 0.08,
                              trade=rng.choice(trades), trade_since=2010,
                              employed_since=datetime.date(2015 if rng.random() < 0.9 else 2022, 7, 1),
                              birth_date=datetime.date(1990, 1, 1))
               for n in range(1, 8001)]
    by_pk = {w.pk: w for w in workers}
    planned = demo.plan_year(2022, workers, orgs)

    assert sum(p.union for p in planned) == 15
    seats = [pk for p in planned for pk in p.seats]
    assert len(seats) == len(set(seats))
    titles = [p.title for p in planned]
    assert len(titles) == len(set(titles))
    for p in planned:
        assert 0 < len(p.seats) <= p.capacity
        for pk in p.seats:
            w = by_pk[pk]
            if p.audience == TrainingClass.Audience.OWN_STAFF:
                assert w.employer == orgs[p.provider].pk
            elif p.audience == TrainingClass.Audience.TEAM_LEADERS:
                assert w.team_leader
            elif p.audience == TrainingClass.Audience.POVERTY:
                assert w.poverty
        if any(by_pk[pk].employed_since.year == 2022 for pk in p.seats):
            assert p.month and p.month > 7  # newcomers train after they joined on 1 July


def test_every_demo_course_splits_into_sessions_that_add_up_to_its_hours():
    """A class's hours are its sessions' (TrainingClass.hours); the demo's agree with the course."""
    rng = random.Random(7)
    for _title, _trade, _level, hours, _syllabus in demo.COURSES.values():
        for _ in range(20):
            assert sum(demo.session_hours(rng, hours)) == hours


def test_the_2022_bases_of_the_reports_kind_are_the_seeds_four():
    """The report counts industrial-worker training bases only (the seed: 4 established in 2022);
    the demo's studios and workstations of that year are not among them."""
    of_2022 = [kind for kind, _host, designated, *_rest in demo.BASES.values() if designated.year == 2022]
    assert of_2022.count(demo.K.WORKER_BASE) == 4
    assert len(of_2022) > 4
