"""The auditor reads the activity log on a phone and narrows it with the filter bar."""

import pytest
from playwright.sync_api import expect

from zhangwan.history import save_with_history
from zhangwan.registry.tests.factories import WorkerFactory
from zhangwan.tests.browser import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_auditor_reads_and_filters_the_activity_log_on_a_phone(phone, live_server, role_users, organization):
    worker = WorkerFactory(employer=organization, name="审计样例", mobile="13800000000")
    worker.mobile = "13900000009"
    save_with_history(worker, user=role_users["training_officer"], reason="roster.import")
    page = phone
    log_in(page, live_server, "auditor")
    page.goto(f"{live_server.url}/audit/")
    expect(page.locator("h1")).to_have_text("操作日志")
    expect(page.locator("#activity-log")).to_contain_text("13800000000 → 13900000009")
    expect(page.locator("#activity-log")).to_contain_text("花名册导入")
    shot(page, "activity-log")
    page.goto(f"{live_server.url}/audit/?q=花名册")
    expect(page.locator("#activity-log tbody tr")).to_have_count(1)
    page.locator("#activity-log a", has_text="审计样例").click()
    expect(page).to_have_url(f"{live_server.url}/roster/{worker.pk}/")
