"""Certification in headless Chromium: apply, check, admit, score, issue, then verify by QR link."""

import re

import pytest
from playwright.sync_api import expect

from certification import verification
from certification.models import Application, Certificate
from certification.tests.factories import hold, session
from zhangwan.registry.models import WorkerTrade
from zhangwan.registry.tests.factories import trade
from zhangwan.tests.browser import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_worker_applies_and_the_certificate_verifies_by_its_qr_link(phones, live_server, role_users):
    worker = role_users["worker"].worker
    WorkerTrade.objects.create(worker=worker, trade=trade(), started_year=2020)
    s = session(level=5)

    page = phones()
    log_in(page, live_server, "worker")
    page.goto(f"{live_server.url}/certification/sessions/")
    shot(page, "certification-sessions")
    page.click(f"#apply-{s.pk}")
    expect(page.locator("#applications .status").first).to_have_text("已提交")

    officer = phones()
    officer.on("dialog", lambda dialog: dialog.accept())
    log_in(officer, live_server, "certification_officer")
    officer.goto(f"{live_server.url}/certification/manage/")
    officer.click("#run-eligibility")
    expect(officer.locator(".alert-info")).to_be_visible()
    assert Application.objects.get().status == "eligible"
    officer.goto(f"{live_server.url}/certification/manage/sessions/{s.pk}/")
    officer.click("#admit")
    expect(officer.locator(".status").first).to_have_text("已准考")
    hold(s)  # the assessment has taken place: scores and certificates from now on
    officer.reload()
    application = Application.objects.get()
    officer.fill(f"#t{application.pk}", "86")
    officer.fill(f"#p{application.pk}", "78.5")
    officer.locator(f"#a{application.pk} button[type=submit]").click()
    expect(officer.locator(".status").first).to_have_text("通过")
    officer.click("#issue")
    expect(officer.locator(".alert-success")).to_be_visible()
    shot(officer, "certification-session")
    certificate = Certificate.objects.get()

    page.goto(f"{live_server.url}/certification/me/")
    expect(page.locator("main")).to_contain_text(certificate.number)
    page.click("text=打印")
    expect(page.locator("#qr svg")).to_be_visible()
    shot(page, "certificate-print")
    qr_url = page.locator(".verify-url").inner_text()
    assert re.search(rf"/certification/verify/{certificate.number}/{verification.token_for(certificate)}/$", qr_url)

    visitor = phones()
    visitor.goto(qr_url)  # what scanning the code opens
    expect(visitor.locator("#verdict")).to_contain_text("有效")
    shot(visitor, "certificate-verified")
