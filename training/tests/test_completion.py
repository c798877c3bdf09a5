import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from training import services
from training.models import Attendance, Enrollment, TrainingClass
from training.tests.factories import hold, open_class
from zhangwan.accounts.models import Notification
from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.history import reason_key
from zhangwan.registry.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return UserFactory(role=Role.TRAINING_OFFICER)


def finished_class(people, *, sessions=5, has_exam=False, **fields):
    cls = open_class(capacity=len(people), sessions=sessions, has_exam=has_exam, **fields)
    seats = [services.enrollment_register(worker=w, training_class=cls, user=None, channel="staff") for w in people]
    TrainingClass.objects.filter(pk=cls.pk).update(status=TrainingClass.Status.RUNNING)
    hold(cls, days_ago=sessions + 5)  # every session is over
    return cls, [Enrollment.objects.get(pk=s.pk) for s in seats]


def mark(cls, seat, statuses, officer):
    for session, status in zip(cls.sessions.order_by("starts_at"), statuses, strict=False):
        services.attendance_mark(session=session, enrollment=seat, status=status, user=officer)


def test_outcomes_follow_the_80_percent_rule_and_the_exam(officer, django_capture_on_commit_callbacks):
    people = [WorkerFactory(user=UserFactory(role=Role.WORKER)) for _ in range(5)]
    cls, seats = finished_class(people, has_exam=True)
    mark(cls, seats[0], ["present"] * 4 + ["absent"], officer)          # 80 %, exam passed → completed
    mark(cls, seats[1], ["present"] * 3 + ["late", "excused"], officer)  # 80 %, exam failed → failed
    mark(cls, seats[2], ["present"] * 3 + ["absent"] * 2, officer)       # 60 % → failed
    mark(cls, seats[3], ["absent"] * 5, officer)                         # marked, never came → no-show
    services.enrollment_set_exam(enrollment=seats[0], passed=True, user=officer)
    services.enrollment_set_exam(enrollment=seats[1], passed=False, user=officer)
    with django_capture_on_commit_callbacks(execute=True):
        services.class_transition(training_class=cls, to="finished", user=officer)
    outcome = dict(Enrollment.objects.values_list("worker_id", "status"))
    assert [outcome[p.pk] for p in people] == ["completed", "failed", "failed", "no_show", "no_show"]
    first = Enrollment.objects.get(pk=seats[0].pk)
    assert (first.attended_hours, first.required_hours) == (Decimal("32.0"), Decimal("40.0"))
    assert any(cls.title in n.title for n in Notification.objects.filter(user=people[0].user))


def test_completion_without_an_exam_needs_attendance_only(officer):
    people = [WorkerFactory() for _ in range(1)]
    cls, seats = finished_class(people)
    mark(cls, seats[0], ["present"] * 5, officer)
    TrainingClass.objects.filter(pk=cls.pk).update(status=TrainingClass.Status.FINISHED)
    assert services.class_complete(class_id=cls.pk) == 1
    assert Enrollment.objects.get().status == "completed"


def test_running_completion_twice_changes_nothing(officer):
    people = [WorkerFactory() for _ in range(3)]
    cls, seats = finished_class(people)
    mark(cls, seats[0], ["present"] * 5, officer)
    TrainingClass.objects.filter(pk=cls.pk).update(status=TrainingClass.Status.FINISHED)
    services.class_complete(class_id=cls.pk)
    before = list(Enrollment.objects.order_by("pk").values_list("status", "attended_hours"))
    history = Enrollment.history.count()
    assert services.class_complete(class_id=cls.pk) == 0
    assert list(Enrollment.objects.order_by("pk").values_list("status", "attended_hours")) == before
    assert Enrollment.history.count() == history


def test_completion_waits_for_the_class_to_finish(officer):
    cls, seats = finished_class([WorkerFactory()])
    assert services.class_complete(class_id=cls.pk) == 0
    assert Enrollment.objects.get().status == "confirmed"


def test_a_late_promotion_counts_only_the_sessions_after_it(officer):
    people = [WorkerFactory()]
    cls, seats = finished_class(people)
    sessions = list(cls.sessions.order_by("starts_at"))
    Enrollment.objects.filter(pk=seats[0].pk).update(confirmed_at=sessions[2].starts_at)
    mark(cls, seats[0], ["absent", "absent", "present", "present", "present"], officer)
    TrainingClass.objects.filter(pk=cls.pk).update(status=TrainingClass.Status.FINISHED)
    services.class_complete(class_id=cls.pk)
    seat = Enrollment.objects.get()
    assert seat.required_hours == Decimal("24.0") and seat.status == "completed"


def test_attendance_for_a_session_of_another_class_is_refused(officer):
    cls, seats = finished_class([WorkerFactory()])
    other, _ = finished_class([WorkerFactory()])
    with pytest.raises(services.TrainingError):
        services.attendance_mark(session=other.sessions.first(), enrollment=seats[0], status="present", user=officer)
    assert not Attendance.objects.exists()


def test_attendance_mark_is_updated_not_duplicated(officer):
    cls, seats = finished_class([WorkerFactory()])
    session = cls.sessions.first()
    services.attendance_mark(session=session, enrollment=seats[0], status="absent", user=officer)
    services.attendance_mark(session=session, enrollment=seats[0], status="late", user=officer)
    assert list(Attendance.objects.values_list("status", flat=True)) == ["late"]
    assert Attendance.history.count() == 2


def test_attendance_rate_counts_only_sessions_held(officer):
    from training.selectors import attendance_summary, worker_attendance_summary

    cls = open_class(capacity=1, sessions=5)
    seats = [services.enrollment_register(worker=WorkerFactory(), training_class=cls, user=None, channel="staff")]
    sessions = list(cls.sessions.order_by("starts_at"))
    past = timezone.now() - datetime.timedelta(days=3)
    for n, s in enumerate(sessions[:2]):
        type(s).objects.filter(pk=s.pk).update(starts_at=past + datetime.timedelta(hours=n),
                                               ends_at=past + datetime.timedelta(hours=n, minutes=30))
    Enrollment.objects.filter(pk=seats[0].pk).update(confirmed_at=past - datetime.timedelta(days=1))
    sessions = list(cls.sessions.order_by("starts_at"))
    services.attendance_mark(session=sessions[0], enrollment=seats[0], status="present", user=officer)
    summary = attendance_summary(Enrollment.objects.all())[seats[0].pk]
    assert summary == {"held": Decimal("16.0"), "attended": Decimal("8.0"), "rate": 50}
    assert worker_attendance_summary(seats[0].worker_id, Enrollment.objects.all())[seats[0].pk] == summary


def test_attendance_for_a_session_that_has_not_started_is_refused(officer):
    cls = open_class(capacity=2, sessions=3)
    seat = services.enrollment_register(worker=WorkerFactory(), training_class=cls, user=None, channel="staff")
    hold(cls, days_ago=1)  # yesterday's and today's sessions have started, tomorrow's has not
    sessions = list(cls.sessions.order_by("starts_at"))
    services.attendance_mark(session=sessions[0], enrollment=seat, status="present", user=officer)
    with pytest.raises(services.TrainingError, match="开始后才能考勤"):
        services.attendance_mark(session=sessions[2], enrollment=seat, status="present", user=officer)
    with pytest.raises(services.TrainingError):
        services.attendance_save_many(training_class=cls, marks={(seat.pk, sessions[2].pk): "present"}, exams={},
                                      user=officer)
    assert list(Attendance.objects.values_list("session_id", flat=True)) == [sessions[0].pk]


def running_class_with_a_session_to_come(people):
    """Three sessions: the day before yesterday's and yesterday's were held, tomorrow's is to come."""
    cls = open_class(capacity=len(people), sessions=4)
    seats = [services.enrollment_register(worker=w, training_class=cls, user=None, channel="staff") for w in people]
    TrainingClass.objects.filter(pk=cls.pk).update(status=TrainingClass.Status.RUNNING)
    hold(cls, days_ago=2)
    cls.sessions.filter(pk=cls.sessions.order_by("starts_at")[2].pk).delete()  # none today
    return cls, [Enrollment.objects.get(pk=s.pk) for s in seats]


def test_finishing_before_the_last_session_needs_a_reason(officer, django_capture_on_commit_callbacks):
    cls, seats = running_class_with_a_session_to_come([WorkerFactory()])
    with pytest.raises(services.TrainingError, match="最后一节课"):
        services.class_transition(training_class=cls, to="finished", user=officer)
    cls.refresh_from_db()
    assert cls.status == "running"
    with django_capture_on_commit_callbacks(execute=True):
        services.class_transition(training_class=cls, to="finished", user=officer, reason="疫情停课")
    cls.refresh_from_db()
    assert cls.status == "finished"
    assert cls.history.first().history_change_reason == reason_key("class.finished_early", "疫情停课")


def test_a_class_finished_early_is_judged_on_the_hours_held_never_above_100_percent(
        officer, django_capture_on_commit_callbacks):
    from training.selectors import attendance_summary, worker_attendance_summary

    cls, seats = running_class_with_a_session_to_come([WorkerFactory()])
    later = cls.sessions.order_by("starts_at").last()
    mark(cls, seats[0], ["present", "present"], officer)
    Attendance.objects.create(session=later, enrollment=seats[0], status="present")  # marked ahead, before the guard
    summary = attendance_summary([seats[0]])[seats[0].pk]
    assert summary == {"held": Decimal("16"), "attended": Decimal("16"), "rate": 100}
    assert worker_attendance_summary(seats[0].worker_id, [seats[0]])[seats[0].pk] == summary
    with django_capture_on_commit_callbacks(execute=True):
        services.class_transition(training_class=cls, to="finished", user=officer, reason="提前结业")
    seat = Enrollment.objects.get()
    assert (seat.attended_hours, seat.required_hours, seat.status) == (Decimal("16.0"), Decimal("16.0"), "completed")


def test_the_completion_share_is_the_classs_own(officer, django_capture_on_commit_callbacks):
    assert TrainingClass._meta.get_field("completion_percent").default == 80
    people = [WorkerFactory() for _ in range(2)]
    cls, seats = finished_class(people, completion_percent=60)
    mark(cls, seats[0], ["present"] * 3 + ["absent"] * 2, officer)  # 60 %: enough for this class
    mark(cls, seats[1], ["present"] * 2 + ["absent"] * 3, officer)  # 40 %
    with django_capture_on_commit_callbacks(execute=True):
        services.class_transition(training_class=cls, to="finished", user=officer)
    outcome = dict(Enrollment.objects.values_list("worker_id", "status"))
    assert [outcome[p.pk] for p in people] == ["completed", "failed"]
