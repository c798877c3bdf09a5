"""Training in headless Chromium at phone width: a worker's registration and promotion, an
officer's attendance sheet."""

import re

import pytest
from playwright.sync_api import expect

from training import services
from training.models import Attendance, Enrollment
from training.tests.factories import hold, open_class
from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import UserFactory
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
