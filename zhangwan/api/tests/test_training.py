"""Training through the API: the same registration service as the pages (capacity, waiting list,
notifications), cancellation with promotion, enrollments with attendance."""

import pytest

from training import services
from training.models import Attendance, Enrollment
from training.tests.factories import hold, open_class
from zhangwan.accounts.models import Notification
from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.api.models import Scope
from zhangwan.registry.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def staff(n, organization):
    return [WorkerFactory(employer=organization, user=UserFactory(role=Role.WORKER)) for _ in range(n)]


def register(api, cls, workers, **headers):
    return api.post(f"/api/v1/classes/{cls.pk}/register/", {"workers": [w.pk for w in workers]}, **headers)


def test_it_lists_the_classes_of_the_catalogue(api):
    cls = open_class(capacity=3)
    [shown] = api.get("/api/v1/classes/").json()["results"]
    assert (shown["id"], shown["seats_left"], shown["status"]) == (cls.pk, 3, "open")
    assert api.get(f"/api/v1/classes/{cls.pk}/").json()["title"] == cls.title


def test_a_full_class_puts_the_newcomer_on_the_waiting_list_and_tells_them(api, organization, liaison):
    cls = open_class(capacity=1)
    first, second = staff(2, organization)
    outcomes = register(api, cls, [first, second]).json()
    assert [o["enrollment"]["status"] for o in outcomes] == ["confirmed", "waitlisted"]
    assert outcomes[1]["enrollment"]["waiting_position"] == 1
    assert Enrollment.objects.get(worker=second).registered_by == liaison
    assert any(cls.title in n.title for n in Notification.objects.filter(user=second.user))


def test_a_refusal_of_the_service_is_reported_per_worker(api, organization):
    cls = open_class(capacity=5, audience="team_leaders")
    leader, other = WorkerFactory(employer=organization, team_leader=True), WorkerFactory(employer=organization)
    outcomes = register(api, cls, [leader, other], HTTP_ACCEPT_LANGUAGE="en").json()
    assert outcomes[0]["error"] == "" and "is not a team leader" in outcomes[1]["error"]


def test_another_organizations_worker_is_not_found_and_nothing_is_registered(api, organization, other_organization):
    cls = open_class()
    response = register(api, cls, [WorkerFactory(employer=organization), WorkerFactory(employer=other_organization)])
    assert response.status_code == 404 and not Enrollment.objects.exists()


def test_cancelling_promotes_the_first_waiting_person(api, organization):
    cls = open_class(capacity=1)
    first, second = staff(2, organization)
    seat = register(api, cls, [first, second]).json()[0]["enrollment"]
    response = api.post(f"/api/v1/enrollments/{seat['id']}/cancel/")
    assert response.json()["status"] == "cancelled"
    assert Enrollment.objects.get(worker=second).status == "confirmed"
    again = api.post(f"/api/v1/enrollments/{seat['id']}/cancel/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert again == {"code": "refused", "message": "This registration is already “Cancelled”."}


def test_another_organizations_enrollment_is_not_found(api, other_organization):
    cls = open_class()
    theirs = services.enrollment_register(worker=WorkerFactory(employer=other_organization), training_class=cls,
                                          user=None, channel="self")
    assert api.post(f"/api/v1/enrollments/{theirs.pk}/cancel/").status_code == 404
    assert api.get(f"/api/v1/enrollments/{theirs.pk}/").status_code == 404
    assert api.get("/api/v1/enrollments/").json()["results"] == []
    theirs.refresh_from_db()
    assert theirs.status == "confirmed"


def test_enrollments_show_attendance_and_completion(api, organization):
    cls = open_class(capacity=2, sessions=2)
    worker = WorkerFactory(employer=organization)
    enrollment = services.enrollment_register(worker=worker, training_class=cls, user=None, channel="self")
    cls = hold(cls)
    first = cls.sessions.order_by("starts_at").first()
    Attendance.objects.create(enrollment=enrollment, session=first, status="present")
    [listed] = api.get("/api/v1/enrollments/", training_class=cls.pk).json()["results"]
    assert (listed["hours_held"], listed["hours_attended"], listed["attendance_rate"]) == ("16.0", "8.0", 50)
    detail = api.get(f"/api/v1/enrollments/{enrollment.pk}/").json()
    assert [(a["session"], a["status"]) for a in detail["attendance"]] == [(first.pk, "present")]


def test_registering_needs_the_enrollments_scope(make_api, organization):
    cls = open_class()
    _t, api = make_api(scopes=[Scope.READ_ROSTER])
    assert register(api, cls, [WorkerFactory(employer=organization)]).status_code == 403
    assert not Enrollment.objects.exists()
