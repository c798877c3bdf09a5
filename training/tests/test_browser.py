"""Training in headless Chromium at phone width: a worker's registration and promotion, an
officer's attendance sheet, a worker's answer to a needs survey."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from training import services
from training.models import Attendance, Enrollment, NeedsResponse, NeedsSurvey
from training.tests.factories import hold, open_class
from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.registry.models import Trade
from zhangwan.registry.tests.factories import WorkerFactory
from zhangwan.tests.browser import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_worker_registers_waits_is_promoted_and_is_told(phones, live_server, role_users, organization):
    roomy = open_class(capacity=5, title="2026年电工（中级）培训班", provider=organization)
    full = open_class(capacity=1, title="2026年焊工（高级）培训班", provider=organization)
    other = WorkerFactory(employer=organization, user=UserFactory(username="laowang", role=Role.WORKER))
    services.enrollment_register(worker=other, training_class=full, user=None, channel="staff")

    page = phones()
    log_in(page, live_server, "worker")
    page.goto(f"{live_server.url}/training/classes/")
    shot(page, "training-catalogue")
    page.click(f"text={roomy.title}")
    page.click("#register")
    expect(page.locator("#my-status")).to_contain_text("已确认")
    shot(page, "training-registered")

    page.goto(f"{live_server.url}/training/classes/{full.pk}/")
    expect(page.locator("#seats-left")).to_have_text("0")
    page.click("#register")
    expect(page.locator("#my-status")).to_contain_text("候补")
    expect(page.locator("#my-status")).to_contain_text("1")
    shot(page, "training-waiting")

    colleague = phones()
    log_in(colleague, live_server, "laowang")
    colleague.goto(f"{live_server.url}/training/classes/{full.pk}/")
    colleague.once("dialog", lambda dialog: dialog.accept())
    colleague.click("#cancel")
    expect(colleague.locator(".alert-success")).to_be_visible()

    page.goto(f"{live_server.url}/training/me/")
    expect(page.locator("#unread-count")).to_be_visible()
    shot(page, "training-my-classes")
    page.goto(f"{live_server.url}/accounts/notifications/")
    expect(page.locator("main")).to_contain_text(full.title)
    shot(page, "notifications")
    assert Enrollment.objects.get(training_class=full, worker=role_users["worker"].worker).status == "confirmed"


def test_officer_marks_attendance_on_a_phone(phone, live_server, role_users):
    cls = open_class(capacity=3)
    people = WorkerFactory.create_batch(3)
    seats = [services.enrollment_register(worker=w, training_class=cls, user=None, channel="staff") for w in people]
    hold(cls)
    session = cls.sessions.order_by("starts_at").first()
    log_in(phone, live_server, "training_officer")
    phone.goto(f"{live_server.url}/training/manage/classes/{cls.pk}/")
    shot(phone, "training-class-manage")
    phone.click(f"a[href='/training/manage/sessions/{session.pk}/']")
    expect(phone).to_have_url(re.compile(rf"/training/manage/sessions/{session.pk}/$"))
    row = phone.locator(f"#row-{seats[0].pk}")
    row.locator("button[value=present]").click()
    expect(phone.locator(f"#row-{seats[0].pk} button[value=present]")).to_have_attribute("aria-pressed", "true")
    phone.locator(f"#row-{seats[1].pk} button[value=late]").click()
    expect(phone.locator(f"#row-{seats[1].pk} button[value=late]")).to_have_attribute("aria-pressed", "true")
    shot(phone, "training-attendance")
    assert dict(Attendance.objects.values_list("enrollment_id", "status")) == {seats[0].pk: "present",
                                                                               seats[1].pk: "late"}
    phone.goto(f"{live_server.url}/training/manage/sessions/{session.pk}/?print=1")
    expect(phone.locator("table.sign-in tbody tr")).to_have_count(3)
    shot(phone, "training-sign-in-sheet")


def test_liaison_picks_workers_across_searches_and_pages_and_registers_them(phone, live_server, liaison,
                                                                           organization):
    cls = open_class(capacity=50)
    WorkerFactory.create_batch(25, employer=organization)
    leaders = [WorkerFactory(employer=organization, name=f"赵欧阳{n}", team_leader=True) for n in range(3)]
    services.enrollment_register(worker=leaders[0], training_class=cls, user=None, channel="staff")

    log_in(phone, live_server, "liaison")
    phone.goto(f"{live_server.url}/training/classes/{cls.pk}/enrol/")
    phone.locator("[data-picker-id]:not([disabled])").first.check()
    phone.click("[data-picker-page='2']")
    expect(phone.locator("[data-picker-rows] nav")).to_contain_text("2 / 2")
    phone.locator("[data-picker-id]:not([disabled])").first.check()
    phone.fill("[data-picker-q]", "欧阳")
    expect(phone.locator("[data-picker-total]")).to_contain_text("3")
    expect(phone.locator(f"[data-picker-id='{leaders[0].pk}']")).to_be_disabled()
    expect(phone.locator("[data-taken]")).to_have_text("已报名")
    phone.check("[data-picker-leader]")
    phone.click("[data-picker-all]")
    expect(phone.locator("[data-picker-count]")).to_have_text("4")
    shot(phone, "training-liaison-picker")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.click("#register-selected")
    expect(phone.locator("#outcomes")).to_be_visible()
    assert Enrollment.objects.filter(training_class=cls).count() == 5
    assert set(leaders[1:]) <= {e.worker for e in Enrollment.objects.filter(training_class=cls)}
    expect(phone.locator("main")).to_contain_text("剩余名额 45 / 50")


def test_officer_registers_a_walk_in_on_a_phone(phone, live_server, role_users):
    """Issue 19: a poverty-alleviation trainee with no employer, liaison or account is put in a class
    by the training officer, created on the spot from the identity number."""
    from zhangwan.registry.tests.factories import make_id_number

    cls = open_class(capacity=1, title="2026年茶叶加工（初级）培训班")
    services.enrollment_register(worker=WorkerFactory(), training_class=cls, user=None, channel="staff")
    log_in(phone, live_server, "training_officer")
    phone.goto(f"{live_server.url}/training/manage/classes/{cls.pk}/")
    phone.click("#staff-register")
    phone.fill("#id_id_number", make_id_number(77, region="420303"))
    phone.fill("#id_name", "李春花")
    phone.fill("#id_mobile", "13972000077")
    phone.check("#id_poverty_registered")
    assert phone.evaluate("document.documentElement.scrollWidth") <= phone.viewport_size["width"]
    shot(phone, "training-staff-register")
    phone.click("#walk-in button[type=submit]")
    expect(phone.locator(".alert-success")).to_contain_text("李春花")
    expect(phone.locator("main")).to_contain_text("候补")
    assert phone.evaluate("document.documentElement.scrollWidth") <= phone.viewport_size["width"]
    shot(phone, "training-staff-registered")
    enrollment = Enrollment.objects.get(training_class=cls, worker__name="李春花")
    assert (enrollment.channel, enrollment.status, enrollment.worker.employer_id) == ("staff", "waitlisted", None)


def test_worker_answers_a_needs_survey_on_a_phone(phone, live_server, role_users):
    today = timezone.localdate()
    survey = NeedsSurvey.objects.create(title="明年培训需求调研", year=today.year + 1,
                                        starts_on=today - datetime.timedelta(days=2),
                                        ends_on=today + datetime.timedelta(days=20))
    wanted = Trade.objects.order_by("code").first()
    log_in(phone, live_server, "worker")
    phone.click(".navbar-toggler")
    phone.click("#mainnav >> text=培训需求")
    phone.click(f"text={survey.title}")
    expect(phone.locator("#my-answers")).to_contain_text("暂无回答")
    phone.select_option("#id_trade", str(wanted.pk))
    phone.select_option("#id_format", "online")
    phone.fill("#id_remark", "周末有空")
    shot(phone, "training-needs-answer")
    phone.click("#answer")
    expect(phone.locator(".alert-success")).to_be_visible()
    expect(phone.locator("#my-answers")).to_contain_text(wanted.name_zh)
    shot(phone, "training-needs-answered")
    answer = NeedsResponse.objects.get(survey=survey)
    assert (answer.worker, answer.trade, answer.format, answer.head_count, answer.remark) == (
        role_users["worker"].worker, wanted, "online", 1, "周末有空")
