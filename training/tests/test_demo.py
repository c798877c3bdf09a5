"""The demo data's helpers, without a database: the full load is checked by running load_demo."""

import datetime
import random
from types import SimpleNamespace

import pytest

from training import demo
from training.models import Attendance, Enrollment, TrainingClass
from zhangwan.registry.demo import ORGANIZATIONS

Status = Enrollment.Status


@pytest.mark.parametrize("total", sorted({c[3] for c in demo.COURSES.values()}))
def test_session_hours_split_course_hours_into_two_to_six_sessions(total):
    rng = random.Random(total)
    for _ in range(200):
        hours = demo.session_hours(rng, total)
        assert sum(hours) == total
        assert 2 <= len(hours) <= 6
        assert all(3 <= h <= 8 for h in hours)


def outcome_of(hours, marks, has_exam, exam_passed):
    """services.class_complete's rule, on plain numbers."""
    attended = sum(h for h, m in zip(hours, marks, strict=True) if m in Attendance.COUNTED)
    enough = attended * 5 >= sum(hours) * 4
    if attended == 0:
        return Status.NO_SHOW
    return Status.COMPLETED if enough and (not has_exam or exam_passed) else Status.FAILED


def test_attendance_marks_lead_to_the_outcome_class_complete_would_decide():
    rng = random.Random(1)
    for _ in range(3000):
        hours = demo.session_hours(rng, rng.choice([12, 16, 24, 32, 40]))
        outcome = rng.choice([Status.COMPLETED, Status.FAILED, Status.NO_SHOW])
        exam_failed = outcome == Status.FAILED and rng.random() < 0.5
        marks = demo.attendance_marks(rng, hours, outcome, exam_failed)
        assert len(marks) == len(hours)
        assert set(marks) <= set(Attendance.Status.values)
        assert outcome_of(hours, marks, exam_failed, not exam_failed) == outcome


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
