"""The annual report in headless Chromium: an officer starts it, watches the progress bar move
while a real Celery worker writes it, and downloads the workbook."""

import docx
import openpyxl
import pytest
from playwright.sync_api import expect

from zhangwan.tests.browser import log_in, shot
from zhangwan.tests.processes import worker_on_own_queue

pytestmark = [pytest.mark.browser, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def slow_worker(settings):
    """A real worker that pauses after each sheet, so the page shows the bar moving."""
    with worker_on_own_queue(settings, ZW_REPORT_STEP_PAUSE="0.7") as queue:
        yield queue


def test_an_officer_starts_the_report_watches_it_and_downloads_it(phones, live_server, role_users, slow_worker,
                                                                  tmp_path):
    page = phones()
    log_in(page, live_server, "training_officer")
    page.goto(f"{live_server.url}/reports/")
    page.fill("#id_year", "2022")
    page.click("#start-report")
    expect(page.locator("[data-status=running]")).to_be_visible(timeout=20_000)
    seen = set()
    for _ in range(40):
        value = int(page.locator("#report-progress progress").get_attribute("value"))
        seen.add(value)
        if value == 100:
            break
        page.wait_for_timeout(250)
    assert len(seen - {0, 100}) >= 2, seen  # it moved through steps
    expect(page.locator("[data-status=done]")).to_be_visible(timeout=30_000)
    shot(page, "annual-report")
    with page.expect_download() as download:
        page.click("#download-report")
    path = tmp_path / "report.xlsx"
    download.value.save_as(path)
    assert len(openpyxl.load_workbook(path).worksheets) == 8
    with page.expect_download() as draft:  # the written summary, made by the same job, in the officer's language
        page.click("#download-report-document")
    assert docx.Document(draft.value.path()).paragraphs[0].text == "张湾区总工会 2022 年技能人才工作总结（初稿）"
