import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from training import services
from training.models import Attendance, Enrollment, TrainingBase, TrainingClass
from training.tests.factories import hold, open_class
from zhangwan.accounts.models import Notification
from zhangwan.history import reason_key
from zhangwan.registry.tests.factories import OrganizationFactory, WorkerFactory

pytestmark = pytest.mark.django_db


def xlsx(rows) -> SimpleUploadedFile:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("list.xlsx", buffer.getvalue())


@pytest.fixture
def worker_client(client, role_users):
    client.force_login(role_users["worker"])
    return client


def test_worker_registers_from_the_class_page(worker_client, role_users):
    cls = open_class()
    response = worker_client.post(reverse("training:register_self", args=[cls.pk]))
    assert response.url == reverse("training:class_detail", args=[cls.pk])
    assert Enrollment.objects.get(training_class=cls).worker == role_users["worker"].worker
    page = worker_client.get(reverse("training:class_detail", args=[cls.pk])).content.decode()
    assert 'id="my-status"' in page


def test_a_workers_class_page_with_a_seat_reads_the_class_once(worker_client, django_assert_num_queries):
    cls = open_class()
    worker_client.post(reverse("training:register_self", args=[cls.pk]))
    worker_client.get(reverse("training:class_detail", args=[cls.pk]))
    # the session, the user, the class, its sessions, the seat (each prepared): the seat's class is the page's
    with CaptureQueriesContext(connection) as seen:
        page = worker_client.get(reverse("training:class_detail", args=[cls.pk])).content.decode()
    assert 'id="cancel"' in page
    reads = [q["sql"] for q in seen.captured_queries if '"training_trainingclass"' in q["sql"]
             or q["sql"].startswith("EXECUTE")]
    assert not [sql for sql in reads if not sql.startswith("EXECUTE")], reads  # no read of the class but the page's


def test_registering_and_cancelling_read_the_worker_and_their_account_once(worker_client, role_users):
    cls = open_class()
    reads = []
    for path in (reverse("training:register_self", args=[cls.pk]), None):
        if path is None:
            path = reverse("training:enrollment_cancel", args=[Enrollment.objects.get(training_class=cls).pk])
        with CaptureQueriesContext(connection) as seen:
            assert worker_client.post(path).status_code == 302
        reads.append([q["sql"] for q in seen.captured_queries if q["sql"].startswith("SELECT")
                      and q["sql"].split(" FROM ")[1].startswith(('"accounts_user"', '"registry_worker"'))])
    assert reads == [[], []]  # the session's user and the own worker are read prepared; the cancel's with its lock
    assert Notification.objects.filter(user=role_users["worker"]).count() == 2


def test_a_cancellation_that_gives_the_seat_to_the_next_in_line_reads_by_prepared_statements_only(
        worker_client, role_users):
    cls = open_class(capacity=1)
    worker_client.post(reverse("training:register_self", args=[cls.pk]))
    waiting = services.enrollment_register(worker=WorkerFactory(), training_class=cls, user=None, channel="staff")
    mine = Enrollment.objects.get(worker=role_users["worker"].worker)
    with CaptureQueriesContext(connection) as seen:
        assert worker_client.post(reverse("training:enrollment_cancel", args=[mine.pk])).status_code == 302
    # the session, the user, the enrollment in the worker's scope, the class and the enrollment locked, the
    # webhooks' subscriptions, the first waiting: each EXECUTE of a statement the session prepared
    assert [q["sql"] for q in seen.captured_queries if q["sql"].startswith("SELECT")] == []
    assert sum(q["sql"].startswith("EXECUTE") for q in seen.captured_queries) >= 6
    waiting.refresh_from_db()
    cls.refresh_from_db()
    mine.refresh_from_db()
    assert (mine.status, waiting.status, cls.confirmed_count) == ("cancelled", "confirmed", 1)


def test_registering_reads_by_prepared_statements_only_and_joins_the_end_of_the_queue(worker_client, role_users):
    cls = open_class(capacity=1)
    for _ in range(2):  # the seat, and one waiting
        services.enrollment_register(worker=WorkerFactory(), training_class=cls, user=None, channel="staff")
    worker_client.get(reverse("training:class_detail", args=[cls.pk]))  # (their roles: read once, then kept)
    with CaptureQueriesContext(connection) as seen:
        response = worker_client.post(reverse("training:register_self", args=[cls.pk]), HTTP_ACCEPT_LANGUAGE="en")
    # the session, the user, the class, the worker, the class locked, its roll, the subscriptions
    assert [q["sql"] for q in seen.captured_queries if q["sql"].startswith("SELECT")] == []
    mine = Enrollment.objects.get(worker=role_users["worker"].worker)
    assert (mine.status, mine.queue_number) == ("waitlisted", 2)
    page = worker_client.get(response.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "you are number 2 on the waiting list" in page


def test_my_classes_shows_the_attendance_read_by_prepared_statements_only(worker_client, role_users):
    cls = open_class(capacity=2, sessions=3)
    seat = services.enrollment_register(worker=role_users["worker"].worker, training_class=cls, user=None,
                                        channel="staff")
    Enrollment.objects.filter(pk=seat.pk).update(confirmed_at=timezone.now() - datetime.timedelta(days=5))
    hold(cls, days_ago=1)  # yesterday's and today's sessions held (8 hours each), tomorrow's to come
    first = cls.sessions.order_by("starts_at").first()
    services.attendance_mark(session=first, enrollment=seat, status="present", user=role_users["training_officer"])
    worker_client.get(reverse("training:my_classes"))
    with CaptureQueriesContext(connection) as seen:
        page = worker_client.get(reverse("training:my_classes"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert [q["sql"] for q in seen.captured_queries if q["sql"].startswith("SELECT")] == []
    assert "50% <span class=\"text-muted\">(8.0/16.0 h)</span>" in page


def test_a_worker_who_cancelled_registers_again_and_the_queue_never_gives_a_place_twice(worker_client, role_users):
    cls = open_class(capacity=1)
    services.enrollment_register(worker=WorkerFactory(), training_class=cls, user=None, channel="staff")
    register = reverse("training:register_self", args=[cls.pk])
    assert worker_client.post(register).status_code == 302
    first = Enrollment.objects.get(worker=role_users["worker"].worker)
    worker_client.post(reverse("training:enrollment_cancel", args=[first.pk]))  # the last one waiting leaves
    first.refresh_from_db()
    assert first.status == "cancelled"
    assert worker_client.post(register).status_code == 302
    again = Enrollment.objects.get(worker=role_users["worker"].worker, status="waitlisted")
    assert again.pk != first.pk and again.queue_number == first.queue_number + 1


def test_worker_registering_twice_gets_a_message(worker_client):
    cls = open_class()
    worker_client.post(reverse("training:register_self", args=[cls.pk]))
    response = worker_client.post(reverse("training:register_self", args=[cls.pk]), follow=True)
    assert Enrollment.objects.count() == 1
    assert any(m.level_tag == "error" for m in response.context["messages"])


@pytest.mark.parametrize("pk", [0, 999999])
def test_registering_for_a_missing_class_is_404(worker_client, pk):
    assert worker_client.post(reverse("training:register_self", args=[pk])).status_code == 404


def test_a_draft_class_cannot_be_registered_for(worker_client):
    cls = open_class(status="draft")
    assert worker_client.post(reverse("training:register_self", args=[cls.pk])).status_code == 404


def test_worker_sees_waiting_position_and_cancels(worker_client, role_users):
    cls = open_class(capacity=1)
    services.enrollment_register(worker=WorkerFactory(), training_class=cls, user=None, channel="staff")
    worker_client.post(reverse("training:register_self", args=[cls.pk]))
    page = worker_client.get(reverse("training:my_classes"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No. 1 waiting" in page
    enrollment = Enrollment.objects.get(worker=role_users["worker"].worker)
    worker_client.post(reverse("training:enrollment_cancel", args=[enrollment.pk]))
    enrollment.refresh_from_db()
    assert enrollment.status == "cancelled"


def test_someone_elses_enrollment_cannot_be_cancelled(worker_client):
    cls = open_class()
    theirs = services.enrollment_register(worker=WorkerFactory(), training_class=cls, user=None, channel="staff")
    assert worker_client.post(reverse("training:enrollment_cancel", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "confirmed"


def test_liaison_cannot_cancel_another_organizations_enrollment(client, liaison, other_organization):
    cls = open_class()
    theirs = services.enrollment_register(worker=WorkerFactory(employer=other_organization), training_class=cls,
                                          user=None, channel="staff")
    client.force_login(liaison)
    assert client.post(reverse("training:enrollment_cancel", args=[theirs.pk])).status_code == 404


def test_a_liaison_cancels_their_organizations_enrollment_and_the_officer_anyones(client, liaison, organization,
                                                                                 role_users):
    cls = open_class()
    ours, theirs = (services.enrollment_register(worker=WorkerFactory(employer=employer), training_class=cls,
                                                 user=None, channel="staff")
                    for employer in (organization, OrganizationFactory()))
    client.force_login(liaison)
    assert client.post(reverse("training:enrollment_cancel", args=[ours.pk])).status_code == 302
    client.force_login(role_users["training_officer"])
    assert client.post(reverse("training:enrollment_cancel", args=[theirs.pk])).status_code == 302
    assert set(Enrollment.objects.filter(training_class=cls).values_list("status", flat=True)) == {"cancelled"}


def test_liaison_registers_workers_from_the_roster(client, liaison, organization):
    cls = open_class(capacity=1)
    ours = [WorkerFactory(employer=organization) for _ in range(2)]
    client.force_login(liaison)
    response = client.post(reverse("training:liaison_register", args=[cls.pk]), {"workers": [w.pk for w in ours]})
    assert response.status_code == 200
    assert sorted(Enrollment.objects.values_list("status", flat=True)) == ["confirmed", "waitlisted"]


def test_liaison_cannot_register_another_organizations_worker(client, liaison, other_organization):
    cls = open_class()
    theirs = WorkerFactory(employer=other_organization)
    client.force_login(liaison)
    response = client.post(reverse("training:liaison_register", args=[cls.pk]), {"workers": [theirs.pk]})
    assert response.status_code == 200 and response.context["form"].errors
    assert not Enrollment.objects.exists()


def test_liaison_registers_from_an_excel_list(client, liaison, organization):
    cls = open_class()
    ours = [WorkerFactory(employer=organization) for _ in range(3)]
    client.force_login(liaison)
    upload = xlsx([["身份证号", "姓名"]] + [[w.id_number, w.name] for w in ours])
    client.post(reverse("training:liaison_register", args=[cls.pk]), {"file": upload})
    assert Enrollment.objects.filter(training_class=cls).count() == 3


def test_an_excel_list_with_a_stranger_registers_nobody(client, liaison, organization, other_organization):
    cls = open_class()
    ours = WorkerFactory(employer=organization)
    theirs = WorkerFactory(employer=other_organization)
    client.force_login(liaison)
    upload = xlsx([["身份证号"], [ours.id_number], [theirs.id_number], ["123"]])
    response = client.post(reverse("training:liaison_register", args=[cls.pk]), {"file": upload})
    assert [e.row for e in response.context["errors"]] == [3, 4]
    assert not Enrollment.objects.exists()


def test_a_renamed_text_file_is_refused(client, liaison):
    cls = open_class()
    client.force_login(liaison)
    upload = SimpleUploadedFile("list.xlsx", b"not a workbook")
    response = client.post(reverse("training:liaison_register", args=[cls.pk]), {"file": upload})
    assert len(response.context["errors"]) == 1 and not Enrollment.objects.exists()


@pytest.fixture
def officer_client(client, role_users):
    client.force_login(role_users["training_officer"])
    return client


def test_officer_marks_attendance_with_htmx(officer_client):
    cls = open_class()
    seat = services.enrollment_register(worker=WorkerFactory(), training_class=cls, user=None, channel="staff")
    session = hold(cls).sessions.first()
    url = reverse("training:attendance_mark", args=[session.pk, seat.pk])
    response = officer_client.post(url, {"status": "late"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'aria-pressed="true"' in response.content.decode()
    assert Attendance.objects.get().status == "late"


def test_attendance_for_a_seat_of_another_class_is_404(officer_client):
    cls, other = open_class(), open_class()
    seat = services.enrollment_register(worker=WorkerFactory(), training_class=other, user=None, channel="staff")
    url = reverse("training:attendance_mark", args=[cls.sessions.first().pk, seat.pk])
    assert officer_client.post(url, {"status": "present"}).status_code == 404
    assert not Attendance.objects.exists()


def test_an_unknown_attendance_mark_changes_nothing(officer_client):
    cls = open_class()
    seat = services.enrollment_register(worker=WorkerFactory(), training_class=cls, user=None, channel="staff")
    url = reverse("training:attendance_mark", args=[cls.sessions.first().pk, seat.pk])
    response = officer_client.post(url, {"status": "asleep"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assert not Attendance.objects.exists()


def test_attendance_round_trips_through_excel(officer_client):
    cls = open_class(has_exam=True)
    seats = [services.enrollment_register(worker=WorkerFactory(), training_class=cls, user=None, channel="staff")
             for _ in range(2)]
    hold(cls)
    book = load_workbook(io.BytesIO(officer_client.get(reverse("training:class_export", args=[cls.pk])).content))
    sheet = book.worksheets[0]
    for row in sheet.iter_rows(min_row=3):
        for cell in row[3:6]:
            cell.value = "出勤"
        row[6].value = "是"
    buffer = io.BytesIO()
    book.save(buffer)
    response = officer_client.post(reverse("training:attendance_import", args=[cls.pk]),
                                   {"file": SimpleUploadedFile("a.xlsx", buffer.getvalue())})
    assert response.status_code == 302
    assert Attendance.objects.filter(status="present").count() == 6
    assert set(Enrollment.objects.filter(pk__in=[s.pk for s in seats]).values_list("exam_passed", flat=True)) == {True}


def test_attendance_import_with_a_bad_cell_or_a_foreign_seat_saves_nothing(officer_client):
    cls, other = open_class(), open_class()
    services.enrollment_register(worker=WorkerFactory(), training_class=cls, user=None, channel="staff")
    foreign = services.enrollment_register(worker=WorkerFactory(), training_class=other, user=None, channel="staff")
    book = load_workbook(io.BytesIO(officer_client.get(reverse("training:class_export", args=[cls.pk])).content))
    sheet = book.worksheets[0]
    sheet["D3"] = "睡觉"
    sheet.append([foreign.pk, "外人", "", "出勤"])
    buffer = io.BytesIO()
    book.save(buffer)
    response = officer_client.post(reverse("training:attendance_import", args=[cls.pk]),
                                   {"file": SimpleUploadedFile("a.xlsx", buffer.getvalue())})
    assert [e.row for e in response.context["errors"]] == [3, 4]  # the rows below the title and the header
    assert not Attendance.objects.exists()


def test_officer_raises_capacity_and_the_waiting_person_is_told(officer_client):
    from zhangwan.accounts.roles import Role
    from zhangwan.accounts.tests.factories import UserFactory

    cls = open_class(capacity=1)
    services.enrollment_register(worker=WorkerFactory(), training_class=cls, user=None, channel="staff")
    waiting = WorkerFactory(user=UserFactory(role=Role.WORKER))
    services.enrollment_register(worker=waiting, training_class=cls, user=None, channel="staff")
    officer_client.post(reverse("training:class_capacity", args=[cls.pk]), {"capacity": "2"})
    assert Enrollment.objects.get(worker=waiting).status == "confirmed"
    assert Notification.objects.filter(user=waiting.user).count() == 2


@pytest.mark.parametrize("value", ["0", "-3", "abc", ""])
def test_a_bad_capacity_changes_nothing(officer_client, value):
    cls = open_class(capacity=5)
    response = officer_client.post(reverse("training:class_capacity", args=[cls.pk]), {"capacity": value}, follow=True)
    assert response.status_code == 200
    cls.refresh_from_db()
    assert cls.capacity == 5


@pytest.mark.parametrize("to", ["running", "bogus", ""])
def test_a_bad_transition_changes_nothing(officer_client, to):
    cls = open_class()
    officer_client.post(reverse("training:class_transition", args=[cls.pk]), {"to": to})
    assert TrainingClass.objects.get(pk=cls.pk).status == "open"


@pytest.mark.parametrize("params", [{"month": "2026-13"}, {"month": "abc"}, {"trade": "x"}, {"level": "99"},
                                    {"page": "-1"}, {"audience": "<script>"}])
def test_catalogue_survives_bad_filters(client, db, params):
    open_class()
    assert client.get(reverse("training:catalogue"), params).status_code == 200


def test_catalogue_filters_by_month_and_hides_drafts(client, db):
    shown = open_class()
    open_class(status="draft", title="草稿班")
    month = shown.starts_on.strftime("%Y-%m")
    page = client.get(reverse("training:catalogue"), {"month": month}).content.decode()
    assert shown.title in page and "草稿班" not in page


def listed_classes(n):
    """Classes that show every part of their card and row: held by the union, at a training base the
    venue does not name (the lists load only the columns the rows read: one left out is a query a row)."""
    base = TrainingBase.objects.get_or_create(name="十堰技师学院实训基地", defaults={
        "kind": TrainingBase.Kind.SCHOOL, "host": OrganizationFactory(), "designated_on": datetime.date(2020, 1, 1)})[0]
    return [open_class(base=base, union_class=True) for _ in range(n)]


LIST_PAGES = [("training:catalogue", None, listed_classes), ("training:class_list", "training_officer", listed_classes)]


@pytest.mark.parametrize("name, role, make", LIST_PAGES)
def test_list_pages_cost_a_constant_number_of_queries(client, role_users, django_assert_max_num_queries,
                                                      name, role, make):
    if role:
        client.force_login(role_users[role])
    make(2)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse(name))
    make(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse(name)).content.decode()
    assert page.count("· 十堰技师学院实训基地" if name == "training:catalogue" else ">工会</span>") == 10


def test_enrollment_lists_cost_a_constant_number_of_queries(client, role_users, organization,
                                                            django_assert_max_num_queries):
    liaison, worker = role_users["liaison"], role_users["worker"].worker

    def add(n):
        for _ in range(n):
            cls = open_class(capacity=1)
            services.enrollment_register(worker=WorkerFactory(employer=organization), training_class=cls, user=None,
                                         channel="staff")
            services.enrollment_register(worker=worker, training_class=cls, user=None, channel="staff")

    add(2)
    for user, name in [(liaison, "training:liaison_enrollments"), (worker.user, "training:my_classes")]:
        client.force_login(user)
        with django_assert_max_num_queries(20) as few:
            client.get(reverse(name))
        counts = len(few.captured_queries)
        add(5)
        with django_assert_max_num_queries(counts):
            client.get(reverse(name))


@pytest.mark.parametrize("name", ["training:class_manage", "training:attendance_sheet"])
def test_class_pages_cost_a_constant_number_of_queries(officer_client, django_assert_max_num_queries, name):
    cls = open_class(capacity=50)
    session = cls.sessions.first()
    session.starts_at = timezone.now() - datetime.timedelta(hours=1)  # under way: attendance can be taken
    session.ends_at = session.starts_at + datetime.timedelta(hours=9)
    session.save()
    url = reverse(name, args=[cls.pk if name.endswith("manage") else session.pk])

    def add(n):
        for _ in range(n):
            seat = services.enrollment_register(worker=WorkerFactory(), training_class=cls, user=None, channel="staff")
            services.attendance_mark(session=session, enrollment=seat, status="present", user=None)

    add(2)
    with django_assert_max_num_queries(25) as few:
        officer_client.get(url)
    add(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        officer_client.get(url)


def test_a_session_not_yet_started_shows_no_marking_controls_and_says_why(officer_client):
    cls = open_class(sessions=3)
    seat = services.enrollment_register(worker=WorkerFactory(), training_class=cls, user=None, channel="staff")
    hold(cls, days_ago=1)
    later = cls.sessions.order_by("starts_at").last()
    page = officer_client.get(reverse("training:attendance_sheet", args=[later.pk]),
                              HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'id="not-started"' in page and "开始后才能" in page
    assert reverse("training:attendance_mark", args=[later.pk, seat.pk]) not in page
    response = officer_client.post(reverse("training:attendance_mark", args=[later.pk, seat.pk]),
                                   {"status": "present"}, HTTP_HX_REQUEST="true")
    assert 'role="alert"' in response.content.decode() and not Attendance.objects.exists()


def test_an_attendance_workbook_marking_a_future_session_saves_nothing(officer_client):
    cls = open_class(sessions=3)
    services.enrollment_register(worker=WorkerFactory(), training_class=cls, user=None, channel="staff")
    hold(cls, days_ago=1)
    book = load_workbook(io.BytesIO(officer_client.get(reverse("training:class_export", args=[cls.pk])).content))
    sheet = book.worksheets[0]
    sheet["D3"], sheet["F3"] = "出勤", "出勤"
    buffer = io.BytesIO()
    book.save(buffer)
    response = officer_client.post(reverse("training:attendance_import", args=[cls.pk]),
                                   {"file": SimpleUploadedFile("a.xlsx", buffer.getvalue())})
    assert [e.row for e in response.context["errors"]] == [3]
    assert not Attendance.objects.exists()


def test_the_catalogue_shows_a_seat_taken_at_once(client, db):
    cls = open_class(capacity=2)
    assert "2 of 2" in client.get(reverse("training:catalogue"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    services.enrollment_register(worker=WorkerFactory(), training_class=cls, user=None, channel="staff")
    assert "1 of 2" in client.get(reverse("training:catalogue"), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_an_officer_list_never_reaches_another_user(client, role_users):
    from zhangwan.accounts.roles import Role
    from zhangwan.accounts.tests.factories import UserFactory

    open_class(title="缓存测试班")
    client.force_login(role_users["training_officer"])
    first = client.get(reverse("training:class_list")).content.decode()
    other = UserFactory(role=Role.TRAINING_OFFICER, full_name="另一位干事")
    client.force_login(other)
    second = client.get(reverse("training:class_list")).content.decode()
    assert "另一位干事" in second and "另一位干事" not in first


def test_the_officer_list_shows_the_message_of_the_last_action(client, role_users):
    cls = open_class()
    client.force_login(role_users["training_officer"])
    client.get(reverse("training:class_list"))
    client.post(reverse("training:class_capacity", args=[cls.pk]), {"capacity": "31"})
    page = client.get(reverse("training:class_list")).content.decode()
    assert "alert-success" in page


def test_the_finish_button_asks_for_a_reason_before_the_last_session(officer_client):
    cls = open_class(sessions=2, days_ahead=1)
    TrainingClass.objects.filter(pk=cls.pk).update(status=TrainingClass.Status.RUNNING)
    page = officer_client.get(reverse("training:class_manage", args=[cls.pk]),
                              HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'id="finish-early"' in page and 'name="reason"' in page
    response = officer_client.post(reverse("training:class_transition", args=[cls.pk]), {"to": "finished"},
                                   follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "最后一节课" in response.content.decode()
    cls.refresh_from_db()
    assert cls.status == "running"


def test_officer_withdraws_a_worker_after_the_start_with_a_reason(officer_client, role_users):
    from zhangwan.accounts.roles import Role
    from zhangwan.accounts.tests.factories import UserFactory

    cls = open_class(capacity=2)
    worker = WorkerFactory(user=UserFactory(role=Role.WORKER))
    seat = services.enrollment_register(worker=worker, training_class=cls, user=None, channel="staff")
    hold(cls, days_ago=1)
    TrainingClass.objects.filter(pk=cls.pk).update(status=TrainingClass.Status.RUNNING)
    with pytest.raises(services.TrainingError):  # the worker's own cancel still refuses
        services.enrollment_cancel(enrollment=seat, user=worker.user)
    page = officer_client.get(reverse("training:class_manage", args=[cls.pk])).content.decode()
    assert f'id="withdraw-{seat.pk}"' in page and 'name="reason"' in page
    url = reverse("training:enrollment_withdraw", args=[seat.pk])
    officer_client.post(url, {"reason": ""})
    assert Enrollment.objects.get(pk=seat.pk).status == "confirmed"
    officer_client.post(url, {"reason": "工作调动"})
    seat.refresh_from_db()
    cls.refresh_from_db()
    assert (seat.status, cls.confirmed_count) == ("cancelled", 0)
    assert seat.history.first().history_change_reason == reason_key("enrollment.withdrawn", "工作调动")
    assert any("工作调动" in n.body for n in Notification.objects.filter(user=worker.user))


def test_a_class_not_yet_started_offers_cancel_not_withdraw(officer_client):
    cls = open_class()
    seat = services.enrollment_register(worker=WorkerFactory(), training_class=cls, user=None, channel="staff")
    assert f'id="withdraw-{seat.pk}"' not in officer_client.get(
        reverse("training:class_manage", args=[cls.pk])).content.decode()
    officer_client.post(reverse("training:enrollment_withdraw", args=[seat.pk]), {"reason": "x"})
    assert Enrollment.objects.get(pk=seat.pk).status == "confirmed"


@pytest.mark.parametrize("opens_in, closes_in, words", [
    (datetime.timedelta(days=2), datetime.timedelta(days=9), "报名时间为"),
    (datetime.timedelta(days=-9), datetime.timedelta(days=-2), "报名已于"),
])
def test_a_closed_registration_window_says_so_with_its_dates(client, role_users, opens_in, closes_in, words):
    now = timezone.now()
    cls = open_class(registration_opens=now + opens_in, registration_closes=now + closes_in)
    client.force_login(role_users["worker"])
    page = client.get(reverse("training:class_detail", args=[cls.pk])).content.decode()
    closes = f"{timezone.localtime(now + closes_in):%Y-%m-%d %H:%M}"
    assert 'id="registration-closed"' in page and words in page and closes in page
    assert 'id="register"' not in page


def test_the_catalogue_lists_open_classes_soonest_first_then_the_rest_newest_first(client):
    made = {}
    for title, status, days in [("排序班-开放晚", "open", 30), ("排序班-开放早", "open", 5),
                                ("排序班-截止近", "closed", 10), ("排序班-截止远", "closed", 40),
                                ("排序班-进行", "running", -2), ("排序班-结束", "finished", -60)]:
        cls = open_class(title=title, days_ahead=days)
        TrainingClass.objects.filter(pk=cls.pk).update(status=status)
        made[title] = cls
    page = client.get(reverse("training:catalogue"), {"status": "all"}).content.decode()
    shown = [title for title in sorted(made, key=page.find) if title in page]
    assert shown == ["排序班-开放早", "排序班-开放晚", "排序班-截止远", "排序班-截止近", "排序班-进行", "排序班-结束"]
