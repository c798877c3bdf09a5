"""Attendance by the class's provider (its liaison), "all present" then the exceptions, and the workers'
own check-in by the session's QR code: signed, time-limited, once per worker and session."""

import datetime
import re
import threading

import pytest
from django.core import signing
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from training import checkin, services
from training.models import Attendance, ClassSession, Enrollment
from training.tests.factories import open_class
from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.history import reason_key
from zhangwan.registry.tests.factories import WorkerFactory
from zhangwan.tests.browser import log_in, shot

pytestmark = pytest.mark.django_db


def under_way(cls, minutes_ago=5) -> ClassSession:
    """The class's first session, started minutes_ago minutes ago."""
    session = cls.sessions.order_by("starts_at").first()
    session.starts_at = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    session.ends_at = session.starts_at + datetime.timedelta(hours=8)
    session.save()
    return session


@pytest.fixture
def provided(organization):
    """A class the liaison's organization runs, with three seats taken and its first session under way."""
    cls = open_class(provider=organization)
    seats = [services.enrollment_register(worker=w, training_class=cls, user=None, channel="staff")
             for w in WorkerFactory.create_batch(3)]
    return cls, seats, under_way(cls)


def test_the_providers_liaison_marks_all_present_then_the_exceptions(client, liaison, provided):
    cls, seats, session = provided
    services.attendance_mark(session=session, enrollment=seats[0], status="excused", user=None)
    client.force_login(liaison)
    page = client.get(reverse("training:attendance_sheet", args=[session.pk])).content.decode()
    assert 'id="all-present"' in page and "training/provided/" in page  # its crumbs lead to its own list
    response = client.post(reverse("training:attendance_all_present", args=[session.pk]), follow=True)
    assert "2 人已标为出席" in response.content.decode()
    marks = dict(Attendance.objects.filter(session=session).values_list("enrollment_id", "status"))
    assert marks == {seats[0].pk: "excused", seats[1].pk: "present", seats[2].pk: "present"}
    row = Attendance.objects.get(session=session, enrollment=seats[1])
    assert (row.marked_by, row.history.get().history_change_reason) == (liaison, reason_key("attendance.all_present"))
    client.post(reverse("training:attendance_mark", args=[session.pk, seats[2].pk]), {"status": "absent"})
    assert Attendance.objects.get(session=session, enrollment=seats[2]).status == "absent"


def test_all_present_before_the_start_is_refused_and_marks_nothing(client, liaison, organization):
    cls = open_class(provider=organization)
    services.enrollment_register(worker=WorkerFactory(), training_class=cls, user=None, channel="staff")
    session = cls.sessions.first()
    client.force_login(liaison)
    response = client.post(reverse("training:attendance_all_present", args=[session.pk]), follow=True)
    assert "开始后才能考勤" in response.content.decode() and not Attendance.objects.exists()


def test_another_organizations_liaison_finds_no_sheet(client, other_organization, provided):
    _cls, seats, session = provided
    stranger = UserFactory(role=Role.LIAISON, organization=other_organization)
    client.force_login(stranger)
    assert client.get(reverse("training:attendance_sheet", args=[session.pk])).status_code == 404
    assert client.post(reverse("training:attendance_all_present", args=[session.pk])).status_code == 404
    assert client.post(reverse("training:attendance_mark", args=[session.pk, seats[0].pk]),
                       {"status": "present"}).status_code == 404
    assert client.get(reverse("training:session_qr", args=[session.pk])).status_code == 404
    assert not Attendance.objects.exists()


def test_the_liaison_lists_the_classes_it_runs_with_their_sessions(client, liaison, provided, other_organization,
                                                                    django_assert_max_num_queries):
    cls, _seats, session = provided
    open_class(provider=other_organization, title="别家的班")
    client.force_login(liaison)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("training:provider_classes")).content.decode()
    assert cls.title in page and "别家的班" not in page
    assert reverse("training:attendance_sheet", args=[session.pk]) in page


def check_in(client, session):
    url = reverse("training:check_in", args=[checkin.token_for(session)])
    return client.post(url, follow=True)


@pytest.fixture
def seated(role_users, provided):
    """The worker role's login, with a seat in the provided class."""
    cls, _seats, session = provided
    worker = role_users[Role.WORKER].worker
    return worker, services.enrollment_register(worker=worker, training_class=cls, user=None, channel="self"), session


def test_a_worker_scans_the_code_and_is_marked_present_once(client, role_users, seated):
    worker, seat, session = seated
    client.force_login(role_users[Role.WORKER])
    url = reverse("training:check_in", args=[checkin.token_for(session)])
    page = client.get(url).content.decode()
    assert session.training_class.title in page and 'id="check-in"' in page
    assert not Attendance.objects.exists()  # opening the link changes nothing
    assert "已签到" in check_in(client, session).content.decode()
    mark = Attendance.objects.get()
    assert (mark.enrollment, mark.status, mark.marked_by) == (seat, "present", role_users[Role.WORKER])
    assert mark.history.get().history_change_reason == reason_key("attendance.checked_in")
    again = check_in(client, session).content.decode()
    assert "已标为" in again and Attendance.objects.count() == 1


def test_a_scan_after_a_quarter_of_an_hour_is_late(role_users, seated):
    worker, _seat, session = seated
    later = session.starts_at + checkin.LATE_AFTER + datetime.timedelta(minutes=1)
    assert services.attendance_check_in(session=session, worker=worker, user=None, now=later).status == "late"


@pytest.mark.parametrize("when, message", [
    (-checkin.EARLY - datetime.timedelta(minutes=1), "开始前 30 分钟"),
    (datetime.timedelta(hours=9), "已结束"),
])
def test_check_in_is_open_from_half_an_hour_before_until_the_end(role_users, seated, when, message):
    worker, _seat, session = seated
    with pytest.raises(services.TrainingError, match=message):
        services.attendance_check_in(session=session, worker=worker, user=None, now=session.starts_at + when)
    assert not Attendance.objects.exists()


def test_a_worker_without_a_seat_cannot_check_in(client, role_users, provided):
    _cls, _seats, session = provided
    client.force_login(role_users[Role.WORKER])
    assert "没有名额" in check_in(client, session).content.decode()
    assert not Attendance.objects.exists()


def test_an_old_code_or_a_forged_one_is_refused_with_a_message(client, role_users, seated):
    _worker, _seat, session = seated
    client.force_login(role_users[Role.WORKER])
    old = signing.TimestampSigner(salt=checkin.SALT)
    old.timestamp = lambda: signing.b62_encode(int(timezone.now().timestamp()) - checkin.MAX_AGE - 5)
    stale = old.sign_object({"session": session.pk})
    forged = checkin.token_for(session)[:-3] + "abc"
    other_salt = signing.TimestampSigner(salt="certification").sign_object({"session": session.pk})
    for token, message in [(stale, "已过期"), (forged, "不是本平台的签到码"), (other_salt, "不是本平台的签到码"),
                           ("<script>", "不是本平台的签到码")]:
        url = reverse("training:check_in", args=[token])
        for response in (client.get(url), client.post(url, follow=True)):
            assert response.status_code == 200 and message in response.content.decode(), token
    assert not Attendance.objects.exists()


def test_the_code_is_for_the_providers_staff_and_links_to_the_check_in(client, liaison, provided):
    _cls, _seats, session = provided
    client.force_login(liaison)
    fragment = client.get(reverse("training:session_qr", args=[session.pk])).content.decode()
    assert "<svg" in fragment and 'hx-trigger="every 60s"' in fragment
    token = re.search(r"/training/check-in/([^/]+)/", fragment)
    assert token is None or checkin.session_id_of(token.group(1)) == session.pk  # the link is in the picture only


@pytest.mark.django_db(transaction=True)
def test_scans_and_all_present_at_once_give_one_mark_each(organization):
    cls = open_class(provider=organization)
    people = WorkerFactory.create_batch(6)
    for worker in people:
        services.enrollment_register(worker=worker, training_class=cls, user=None, channel="staff")
    session = under_way(cls)
    errors = []

    def scan(worker):
        try:
            services.attendance_check_in(session=session, worker=worker, user=None)
        except services.TrainingError as error:
            errors.append(error)
        finally:
            connection.close()

    def everyone():
        try:
            services.attendance_all_present(session=session, user=None)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan, args=(w,)) for w in people for _twice in range(2)]
    threads.insert(5, threading.Thread(target=everyone))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Attendance.objects.filter(session=session).count() == 6
    assert len(errors) >= 6  # each worker's second scan at least, and scans after "all present"


@pytest.mark.browser
def test_a_worker_checks_in_by_scanning_on_a_phone(phones, live_server, role_users, organization):
    cls = open_class(provider=organization)
    services.enrollment_register(worker=role_users[Role.WORKER].worker, training_class=cls, user=None,
                                 channel="self")
    session = under_way(cls)
    teacher = phones()
    log_in(teacher, live_server, "liaison")
    teacher.goto(f"{live_server.url}{reverse('training:provider_classes')}")
    teacher.click(f"a[href='{reverse('training:attendance_sheet', args=[session.pk])}']")
    teacher.get_by_role("button", name="签到码").click()
    expect(teacher.locator("#checkin-qr svg")).to_be_visible()
    expect(teacher.locator("#checkin")).to_have_class(re.compile(r"\bshow\b"))  # unfolded, not mid-animation
    shot(teacher, "training-check-in-code")
    worker = phones()
    log_in(worker, live_server, "worker")
    worker.goto(f"{live_server.url}{reverse('training:check_in', args=[checkin.token_for(session)])}")
    expect(worker.locator("main")).to_contain_text(cls.title)
    worker.click("#check-in")
    expect(worker.locator(".alert-success")).to_contain_text("已签到")
    shot(worker, "training-checked-in")
    assert Attendance.objects.get(session=session).status == "present"


@pytest.fixture
def examined(organization):
    cls = open_class(provider=organization, has_exam=True)
    seats = [services.enrollment_register(worker=w, training_class=cls, user=None, channel="staff")
             for w in WorkerFactory.create_batch(3)]
    return cls, seats


def exam_data(seats, *values):
    return {f"exam-{seat.pk}": value for seat, value in zip(seats, values, strict=True)}


def test_the_whole_class_exam_results_are_saved_at_once(client, role_users, examined):
    cls, seats = examined
    officer = role_users[Role.TRAINING_OFFICER]
    client.force_login(officer)
    url = reverse("training:exam_results", args=[cls.pk])
    assert all(seat.worker.name in client.get(url).content.decode() for seat in seats)
    response = client.post(url, exam_data(seats, "1", "0", ""), follow=True)
    assert "2 项有变动" in response.content.decode()
    results = dict(cls.enrollments.values_list("pk", "exam_passed"))
    assert results == {seats[0].pk: True, seats[1].pk: False, seats[2].pk: None}
    first = cls.enrollments.get(pk=seats[0].pk).history.latest()
    assert (first.history_user, first.history_change_reason) == (officer, reason_key("enrollment.exam"))
    assert 'value="1" selected' in response.content.decode()


def test_a_bad_result_saves_nothing(client, role_users, examined):
    cls, seats = examined
    client.force_login(role_users[Role.TRAINING_OFFICER])
    response = client.post(reverse("training:exam_results", args=[cls.pk]), exam_data(seats, "1", "2", "0"))
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    assert not cls.enrollments.filter(exam_passed__isnull=False).exists()


def test_results_naming_a_seat_of_another_class_are_refused_whole(role_users, examined):
    cls, seats = examined
    elsewhere = services.enrollment_register(worker=WorkerFactory(), training_class=open_class(has_exam=True),
                                             user=None, channel="staff")
    with pytest.raises(services.TrainingError, match="nothing was saved|未保存"):
        services.exam_results_save(training_class=cls, results={seats[0].pk: True, elsewhere.pk: True}, user=None)
    assert not Enrollment.objects.filter(exam_passed__isnull=False).exists()


def test_the_providers_liaison_enters_results_and_others_find_nothing(client, liaison, examined, other_organization):
    cls, seats = examined
    client.force_login(liaison)
    client.post(reverse("training:exam_results", args=[cls.pk]), exam_data(seats, "1", "1", "1"))
    assert cls.enrollments.filter(exam_passed=True).count() == 3
    client.force_login(UserFactory(role=Role.LIAISON, organization=other_organization))
    assert client.get(reverse("training:exam_results", args=[cls.pk])).status_code == 404
    no_exam = open_class(provider=other_organization)
    client.force_login(liaison)
    assert client.get(reverse("training:exam_results", args=[no_exam.pk])).status_code == 404
