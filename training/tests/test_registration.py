import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from training import services
from training.models import Enrollment, TrainingClass
from training.tests.factories import open_class
from zhangwan.accounts.models import Notification
from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.registry.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return UserFactory(role=Role.TRAINING_OFFICER)


def workers(n, **fields):
    return [WorkerFactory(user=UserFactory(role=Role.WORKER), **fields) for _ in range(n)]


def register(worker, cls, user=None):
    return services.enrollment_register(worker=worker, training_class=cls, user=user or worker.user,
                                        channel=Enrollment.Channel.SELF)


def positions(cls):
    return list(Enrollment.objects.filter(training_class=cls).with_position().values_list("worker_id", "position"))


def test_seats_are_confirmed_until_the_class_is_full_then_people_wait_in_order():
    cls = open_class(capacity=2)
    people = workers(4)
    statuses = [register(w, cls).status for w in people]
    assert statuses == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    cls.refresh_from_db()
    assert cls.confirmed_count == 2 and cls.seats_left == 0
    assert positions(cls) == [(people[2].pk, 1), (people[3].pk, 2)]


def test_full_class_tells_each_newcomer_their_place():
    import re

    cls = open_class(capacity=1)
    first, second, third = workers(3)
    for worker in (first, second, third):
        register(worker, cls)

    def place(worker):
        note = Notification.objects.get(user=worker.user)
        assert cls.title in note.title
        return re.findall(r"\d+", note.body.replace(cls.title, ""))

    assert (place(second), place(third)) == (["1"], ["2"])


def test_registering_twice_is_refused_and_changes_nothing():
    cls = open_class()
    worker = workers(1)[0]
    register(worker, cls)
    with pytest.raises(services.TrainingError):
        register(worker, cls)
    assert Enrollment.objects.filter(worker=worker).count() == 1


def test_the_database_refuses_a_second_active_enrollment():
    cls = open_class()
    worker = workers(1)[0]
    register(worker, cls)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.create(worker=worker, training_class=cls, status="confirmed", channel="staff")


def test_the_database_refuses_overbooking():
    cls = open_class(capacity=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingClass.objects.filter(pk=cls.pk).update(confirmed_count=2)


@pytest.mark.parametrize("status", ["draft", "closed", "cancelled", "finished"])
def test_registration_needs_an_open_class(status):
    cls = open_class(status=status)
    with pytest.raises(services.TrainingError):
        register(workers(1)[0], cls)
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize("opens, closes", [(1, 5), (-5, -1)])
def test_registration_only_inside_the_window(opens, closes):
    now = timezone.now()
    cls = open_class(registration_opens=now + datetime.timedelta(days=opens),
                     registration_closes=now + datetime.timedelta(days=closes))
    with pytest.raises(services.TrainingError):
        register(workers(1)[0], cls)
    assert not Enrollment.objects.exists()


def test_a_team_leaders_class_admits_only_team_leaders():
    cls = open_class(audience=TrainingClass.Audience.TEAM_LEADERS)
    with pytest.raises(services.TrainingError, match="team leader|班组长"):
        register(workers(1)[0], cls)
    assert register(workers(1, team_leader=True)[0], cls).status == "confirmed"


def test_a_poverty_alleviation_class_admits_only_registered_labourers():
    cls = open_class(audience=TrainingClass.Audience.POVERTY)
    with pytest.raises(services.TrainingError):
        register(workers(1)[0], cls)
    assert register(workers(1, poverty_registered=True)[0], cls).status == "confirmed"


def test_an_in_house_class_admits_only_the_providers_employees(other_organization):
    cls = open_class(audience=TrainingClass.Audience.OWN_STAFF, provider=other_organization)
    with pytest.raises(services.TrainingError):
        register(workers(1)[0], cls)
    assert register(workers(1, employer=other_organization)[0], cls).status == "confirmed"


def test_a_cancellation_promotes_the_first_waiting_person_and_tells_them():
    cls = open_class(capacity=1)
    first, second, third = workers(3)
    seat = register(first, cls)
    register(second, cls)
    register(third, cls)
    Notification.objects.all().delete()
    services.enrollment_cancel(enrollment=seat, user=first.user)
    assert Enrollment.objects.get(worker=second, training_class=cls).status == "confirmed"
    assert positions(cls) == [(third.pk, 1)]
    assert Notification.objects.filter(user=second.user).count() == 1
    assert not Notification.objects.filter(user=third.user).exists()
    cls.refresh_from_db()
    assert cls.confirmed_count == 1


def test_leaving_the_waiting_list_moves_those_behind_up():
    cls = open_class(capacity=1)
    people = workers(4)
    entries = [register(w, cls) for w in people]
    services.enrollment_cancel(enrollment=entries[2], user=people[2].user)
    assert positions(cls) == [(people[1].pk, 1), (people[3].pk, 2)]
    cls.refresh_from_db()
    assert cls.confirmed_count == 1


def test_raising_capacity_promotes_waiting_people_in_order(officer):
    cls = open_class(capacity=1)
    people = workers(4)
    for w in people:
        register(w, cls)
    services.class_set_capacity(training_class=cls, capacity=3, user=officer)
    statuses = dict(Enrollment.objects.filter(training_class=cls).values_list("worker_id", "status"))
    assert [statuses[w.pk] for w in people] == ["confirmed", "confirmed", "confirmed", "waitlisted"]
    assert positions(cls) == [(people[3].pk, 1)]


def test_capacity_cannot_go_below_the_confirmed_seats(officer):
    cls = open_class(capacity=3)
    for w in workers(3):
        register(w, cls)
    with pytest.raises(services.TrainingError):
        services.class_set_capacity(training_class=cls, capacity=2, user=officer)
    cls.refresh_from_db()
    assert cls.capacity == 3


def test_no_cancelling_once_the_class_has_started():
    cls = open_class()
    worker = workers(1)[0]
    seat = register(worker, cls)
    TrainingClass.objects.filter(pk=cls.pk).update(starts_on=timezone.localdate())
    with pytest.raises(services.TrainingError):
        services.enrollment_cancel(enrollment=seat, user=worker.user)
    seat.refresh_from_db()
    assert seat.status == "confirmed"


def test_cancelling_twice_is_refused():
    cls = open_class()
    worker = workers(1)[0]
    seat = register(worker, cls)
    services.enrollment_cancel(enrollment=seat, user=worker.user)
    with pytest.raises(services.TrainingError):
        services.enrollment_cancel(enrollment=seat, user=worker.user)


def test_every_change_is_in_the_history():
    cls = open_class(capacity=1)
    first, second = workers(2)
    seat = register(first, cls)
    register(second, cls)
    services.enrollment_cancel(enrollment=seat, user=first.user)
    promoted = Enrollment.objects.get(worker=second)
    kinds = list(promoted.history.order_by("history_id").values_list("status", "history_change_reason"))
    assert kinds == [("waitlisted", "enrollment.registered:self"), ("confirmed", "enrollment.promoted")]
    assert seat.history.latest().history_user == first.user


def test_class_status_moves_only_along_allowed_transitions(officer):
    cls = open_class(status="draft")
    with pytest.raises(services.TrainingError):
        services.class_transition(training_class=cls, to="running", user=officer)
    services.class_transition(training_class=cls, to="open", user=officer)
    cls.refresh_from_db()
    assert cls.status == "open"
    assert cls.history.latest().history_user == officer


def test_a_class_without_sessions_cannot_open(officer):
    cls = open_class(status="draft", sessions=0)
    with pytest.raises(services.TrainingError):
        services.class_transition(training_class=cls, to="open", user=officer)


def test_cancelling_a_class_withdraws_everyone_and_tells_them(officer):
    cls = open_class(capacity=1)
    first, second = workers(2)
    register(first, cls)
    register(second, cls)
    Notification.objects.all().delete()
    services.class_transition(training_class=cls, to="cancelled", user=officer)
    assert set(Enrollment.objects.values_list("status", flat=True)) == {"cancelled"}
    assert Notification.objects.filter(user__in=[first.user, second.user]).count() == 2
    cls.refresh_from_db()
    assert cls.confirmed_count == 0


def test_liaison_registration_of_many_fills_seats_then_the_waiting_list(liaison, organization):
    cls = open_class(capacity=2)
    people = [WorkerFactory(employer=organization) for _ in range(3)]
    registered = [people[0]]
    register(registered[0], cls, user=liaison)
    outcomes = services.enrollments_register(workers=people, training_class=cls, user=liaison,
                                             channel=Enrollment.Channel.LIAISON)
    assert [o.error != "" for o in outcomes] == [True, False, False]
    assert [o.enrollment.status for o in outcomes[1:]] == ["confirmed", "waitlisted"]


def test_a_class_whose_sessions_disagree_with_its_hours_cannot_open(officer, client):
    cls = open_class(status="draft", sessions=2)  # 16 hours of sessions, the course states 24
    with pytest.raises(services.TrainingError, match="16.0") as refusal:
        services.class_transition(training_class=cls, to="open", user=officer)
    assert "24" in str(refusal.value)
    cls.refresh_from_db()
    assert cls.status == "draft" and cls.hours == Decimal("16.0")
    page = client.get(f"/training/classes/{cls.pk}/").status_code  # drafts are not public
    assert page == 404


def test_the_class_page_states_the_hours_of_its_sessions(client):
    cls = open_class(sessions=3)
    page = client.get(f"/training/classes/{cls.pk}/").content.decode()
    assert 'id="class-hours">24.0<' in page


def test_admin_refuses_sessions_of_a_published_class_that_disagree_with_its_hours(admin_client):
    cls = open_class(sessions=3)
    sessions = list(cls.sessions.order_by("starts_at"))
    data = {"course": cls.course.pk, "title": cls.title, "provider": cls.provider.pk, "venue": cls.venue,
            "capacity": cls.capacity, "audience": cls.audience,
            "registration_opens_0": "2026-01-01", "registration_opens_1": "08:00",
            "registration_closes_0": "2026-01-02", "registration_closes_1": "08:00",
            "starts_on": cls.starts_on, "ends_on": cls.ends_on,
            "sessions-TOTAL_FORMS": "3", "sessions-INITIAL_FORMS": "3", "sessions-MIN_NUM_FORMS": "0",
            "sessions-MAX_NUM_FORMS": "1000"}
    for n, s in enumerate(sessions):
        start, end = timezone.localtime(s.starts_at), timezone.localtime(s.ends_at)
        data |= {f"sessions-{n}-id": s.pk, f"sessions-{n}-training_class": cls.pk,
                 f"sessions-{n}-starts_at_0": f"{start:%Y-%m-%d}", f"sessions-{n}-starts_at_1": f"{start:%H:%M}",
                 f"sessions-{n}-ends_at_0": f"{end:%Y-%m-%d}", f"sessions-{n}-ends_at_1": f"{end:%H:%M}",
                 f"sessions-{n}-hours": "5" if n == 0 else "8", f"sessions-{n}-topic": s.topic}
    response = admin_client.post(f"/admin/training/trainingclass/{cls.pk}/change/", data)
    page = response.content.decode()
    assert response.status_code == 200 and "errorlist nonform" in page and "24.0" in page
    assert set(cls.sessions.values_list("hours", flat=True)) == {Decimal("8.0")}
