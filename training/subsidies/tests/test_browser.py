"""Subsidies in headless Chromium: the officer computes and approves, finance pays, the worker sees it."""

import datetime
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from certification.models import Certificate
from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.registry.models import Worker
from zhangwan.registry.tests.factories import trade
from zhangwan.tests.browser import log_in, shot

from ..models import Batch, Claim, InsuredPeriod, Kind
from .factories import policy

pytestmark = [pytest.mark.browser, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]
YEAR = datetime.date.today().year - 1


def test_a_claim_is_computed_approved_batched_paid_and_seen_by_the_worker(phones, live_server, role_users,
                                                                          worker_queue):
    worker = role_users["worker"].worker
    Worker.objects.filter(pk=worker.pk).update(bank_name="中国工商银行", bank_account="6217000099998888777")
    InsuredPeriod.objects.create(worker=worker, start=datetime.date(YEAR - 3, 1, 1))
    skill = policy(Kind.SKILL, year=YEAR)
    Certificate.objects.create(number="ZWB000001", holder=worker, trade=trade(), level=4,
                               issued_on=datetime.date(YEAR, 6, 1), source="imported")
    UserFactory(username="finance2", role=Role.FINANCE_OFFICER)

    officer = phones()
    officer.on("dialog", lambda dialog: dialog.accept())
    log_in(officer, live_server, "training_officer")
    officer.goto(f"{live_server.url}/subsidies/runs/")
    officer.fill("#id_period_start", f"{YEAR}-01-01")
    officer.fill("#id_period_end", f"{YEAR}-12-31")
    officer.fill("#id_claimed_on", f"{YEAR}-12-31")
    officer.click("#start-run")
    expect(officer.locator("[data-status=done]")).to_be_visible(timeout=30_000)
    expect(officer.locator("progress")).to_have_attribute("value", "100")
    shot(officer, "subsidies-run")
    officer.goto(f"{live_server.url}/subsidies/claims/?status=pending")
    officer.locator("input[name=claims]").first.check()
    officer.click("#approve-claims")
    expect(officer.locator(".alert-success")).to_be_visible()
    assert Claim.objects.get().status == "approved"

    maker = phones()
    log_in(maker, live_server, "finance_officer")
    maker.goto(f"{live_server.url}/subsidies/batches/")
    maker.select_option("#id_policy", str(skill.pk))
    maker.click("#make-batch")
    expect(maker.locator("#batch-status")).to_have_text("草稿")
    batch = Batch.objects.get()
    expect(maker.locator("#approve-batch")).to_have_count(0)  # not by whoever made it

    checker = phones()
    checker.on("dialog", lambda dialog: dialog.accept())
    log_in(checker, live_server, "finance2")
    checker.goto(f"{live_server.url}/subsidies/batches/{batch.pk}/")
    checker.click("#approve-batch")
    expect(checker.locator("#batch-status")).to_have_text("已审核通过")
    checker.fill("#id_reference", "ICBC20250120001")
    checker.click("#record-payment")
    expect(checker.locator("#batch-status")).to_have_text("已发放")
    shot(checker, "subsidies-batch")
    with checker.expect_download() as download:
        checker.click("#bank-file")
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert list(sheet.values)[2][4] == "6217000099998888777"

    page = phones()
    log_in(page, live_server, "worker")
    page.goto(f"{live_server.url}/subsidies/me/")
    expect(page.locator("main")).to_contain_text("ICBC20250120001")
    expect(page.locator("main")).to_contain_text("1,500.00")
    shot(page, "subsidies-mine")


def test_a_worker_applies_on_a_phone_and_the_button_then_says_when(phones, live_server, role_users):
    from ..models import Application

    worker = role_users["worker"].worker
    Certificate.objects.create(number="ZWB000002", holder=worker, trade=trade(), level=4,
                               issued_on=datetime.date(YEAR, 6, 1), source="imported")
    page = phones()
    log_in(page, live_server, "worker")
    page.goto(f"{live_server.url}/subsidies/me/")
    page.click("#apply-link")
    page.locator("button.apply").first.click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator(".apply-blocked")).to_contain_text("已于")
    expect(page.locator("button.apply")).to_have_count(0)
    shot(page, "subsidies-apply")
    assert Application.objects.get().channel == "worker"
