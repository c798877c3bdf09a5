"""The training officer registers walk-ins and poverty-alleviation trainees who have no employer,
no liaison and no account: finds or creates the worker on the spot, registers, moves or withdraws
them through the same registration service as the pages (capacity, waiting list, notifications)."""

import pytest
from django.urls import reverse

from training import services
from training.models import Enrollment, TrainingClass
from training.tests.factories import hold, open_class
from zhangwan.accounts.models import Notification
from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.history import reason_key
from zhangwan.registry.models import Worker
from zhangwan.registry.services import RegistryError, worker_find_or_create
from zhangwan.registry.tests.factories import WorkerFactory, make_id_number

pytestmark = pytest.mark.django_db

WALK_IN = make_id_number(41, region="420303")


@pytest.fixture
def officer():
    return UserFactory(role=Role.TRAINING_OFFICER)


def walk_in(officer, **fields):
    values = {"id_number": WALK_IN, "name": "李春花", "mobile": "13972000041", "poverty_registered": True}
    return worker_find_or_create(user=officer, **{**values, **fields})


def staff_register(worker, cls, officer, reason=""):
    return services.enrollment_register_by_staff(worker=worker, training_class=cls, user=officer, reason=reason)


def test_a_walk_in_is_created_without_employer_or_account_with_history(officer):
    worker, created = walk_in(officer)
    assert created and worker.employer_id is None and worker.user_id is None and worker.poverty_registered
    record = worker.history.get()
    assert (record.history_user, record.history_change_reason) == (officer, "worker.created_by_staff")


def test_an_identity_number_already_known_finds_that_worker(officer):
    known = WorkerFactory(id_number=WALK_IN, name="李春花")
    worker, created = walk_in(officer, id_number=WALK_IN.lower())
    assert (worker, created) == (known, False) and Worker.objects.count() == 1


def test_a_known_number_under_another_name_is_refused(officer):
    WorkerFactory(id_number=WALK_IN, name="王建国")
    with pytest.raises(RegistryError, match="王建国"):
        walk_in(officer)


def test_a_wrong_check_digit_is_refused_and_nothing_is_created(officer):
    with pytest.raises(RegistryError):
        walk_in(officer, id_number=WALK_IN[:17] + ("0" if WALK_IN[17] != "0" else "1"))
    assert not Worker.objects.exists()


def test_staff_registration_uses_the_staff_channel_and_the_waiting_list(officer):
    cls = open_class(capacity=1)
    WorkerFactory.create_batch(1)
    first, second = WorkerFactory(employer=None), walk_in(officer)[0]
    assert staff_register(first, cls, officer).status == Enrollment.Status.CONFIRMED
    waiting = staff_register(second, cls, officer)
    assert (waiting.status, waiting.channel, waiting.registered_by) == ("waitlisted", "staff", officer)
    cls.refresh_from_db()
    assert cls.confirmed_count == 1


def test_staff_may_register_after_the_window_closed(officer):
    cls = open_class(status=TrainingClass.Status.CLOSED)
    assert staff_register(walk_in(officer)[0], cls, officer).status == Enrollment.Status.CONFIRMED


def test_staff_cannot_register_into_a_finished_class(officer):
    cls = open_class(status=TrainingClass.Status.FINISHED)
    with pytest.raises(services.TrainingError):
        staff_register(walk_in(officer)[0], cls, officer)
    assert not Enrollment.objects.exists()


def test_after_the_start_a_registration_needs_a_reason_kept_in_history(officer):
    cls = hold(open_class(), days_ago=1)
    worker = walk_in(officer)[0]
    with pytest.raises(services.TrainingError, match="reason|原因"):
        staff_register(worker, cls, officer)
    enrollment = staff_register(worker, cls, officer, reason="扶贫办转介")
    assert enrollment.history.get().history_change_reason == reason_key("enrollment.registered_late", "扶贫办转介")


def test_moving_frees_the_seat_for_the_first_waiting_and_tells_both(officer):
    old, new = open_class(capacity=1), open_class(capacity=5, title="2026年焊工（中级）二班")
    mover = WorkerFactory(user=UserFactory(role=Role.WORKER))
    waiting = WorkerFactory(user=UserFactory(role=Role.WORKER))
    enrollment = staff_register(mover, old, officer)
    staff_register(waiting, old, officer)
    moved = services.enrollment_move(enrollment=enrollment, to_class=new, user=officer)
    assert (moved.training_class, moved.status, moved.channel) == (new, "confirmed", "staff")
    enrollment.refresh_from_db()
    assert enrollment.status == "cancelled"
    assert enrollment.history.latest().history_change_reason.startswith("enrollment.moved")
    assert Enrollment.objects.get(worker=waiting, training_class=old).status == "confirmed"
    assert any(new.title in n.title for n in Notification.objects.filter(user=mover.user))
    assert sum(old.title in n.title for n in Notification.objects.filter(user=waiting.user)) == 2


def test_moving_into_a_full_class_puts_the_worker_on_its_waiting_list(officer):
    old, new = open_class(capacity=2), open_class(capacity=1)
    staff_register(WorkerFactory(), new, officer)
    enrollment = staff_register(WorkerFactory(), old, officer)
    moved = services.enrollment_move(enrollment=enrollment, to_class=new, user=officer)
    assert moved.status == "waitlisted"
    old.refresh_from_db(), new.refresh_from_db()
    assert (old.confirmed_count, new.confirmed_count) == (0, 1)


def test_moving_into_the_same_class_is_refused_and_changes_nothing(officer):
    cls = open_class()
    enrollment = staff_register(WorkerFactory(), cls, officer)
    with pytest.raises(services.TrainingError):
        services.enrollment_move(enrollment=enrollment, to_class=cls, user=officer)
    enrollment.refresh_from_db()
    assert enrollment.status == "confirmed" and Enrollment.objects.count() == 1


def test_moving_after_the_start_needs_a_reason(officer):
    old, new = hold(open_class(), days_ago=1), open_class()
    enrollment = staff_register(WorkerFactory(), old, officer, reason="补报")
    with pytest.raises(services.TrainingError):
        services.enrollment_move(enrollment=enrollment, to_class=new, user=officer)
    assert Enrollment.objects.get(pk=enrollment.pk).status == "confirmed"
    services.enrollment_move(enrollment=enrollment, to_class=new, user=officer, reason="时间冲突")
    assert Enrollment.objects.get(pk=enrollment.pk).status == "cancelled"


# Pages --------------------------------------------------------------------------------------

def test_the_officer_creates_and_registers_a_walk_in_from_the_page(client, officer):
    cls = open_class()
    client.force_login(officer)
    url = reverse("training:staff_register", args=[cls.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"id_number": WALK_IN, "name": "李春花", "mobile": "13972000041",
                                 "poverty_registered": "on"}, follow=True)
    enrollment = Enrollment.objects.get(training_class=cls)
    assert (enrollment.worker.name, enrollment.channel) == ("李春花", "staff")
    assert "李春花" in response.content.decode()


def test_the_officer_finds_a_known_worker_by_the_last_digits_and_registers_them(client, officer):
    cls = open_class()
    known = WorkerFactory(employer=None, name="张得胜")
    client.force_login(officer)
    url = reverse("training:staff_register", args=[cls.pk])
    assert "张得胜" in client.get(url, {"q": known.id_number[-6:]}).content.decode()
    client.post(url, {"worker": known.pk})
    assert Enrollment.objects.get(training_class=cls).worker == known


def test_a_bad_identity_number_on_the_page_says_why_and_creates_nothing(client, officer):
    cls = open_class()
    client.force_login(officer)
    response = client.post(reverse("training:staff_register", args=[cls.pk]),
                           {"id_number": "420303199001011234", "name": "李春花", "mobile": "13972000041"})
    assert response.status_code == 200 and "校验" in response.content.decode()
    assert not Worker.objects.exists() and not Enrollment.objects.exists()


def test_the_officer_moves_a_worker_from_the_class_page(client, officer):
    old, new = open_class(), open_class(title="2026年焊工（中级）二班")
    enrollment = staff_register(WorkerFactory(), old, officer)
    client.force_login(officer)
    page = client.get(reverse("training:class_manage", args=[old.pk])).content.decode()
    assert reverse("training:enrollment_move", args=[enrollment.pk]) in page
    client.post(reverse("training:enrollment_move", args=[enrollment.pk]), {"to_class": new.pk})
    assert Enrollment.objects.get(training_class=new).worker == enrollment.worker


def test_a_liaison_cannot_open_the_staff_registration(client):
    cls = open_class()
    client.force_login(UserFactory(role=Role.LIAISON))
    assert client.get(reverse("training:staff_register", args=[cls.pk])).status_code == 403


def test_staff_registration_still_checks_the_audience(officer):
    cls = open_class(audience=TrainingClass.Audience.POVERTY)
    with pytest.raises(services.TrainingError):
        staff_register(WorkerFactory(poverty_registered=False), cls, officer)
    assert staff_register(walk_in(officer)[0], cls, officer).status == "confirmed"
