"""The talent profile in headless Chromium: a worker opens it from "My record" and prints it; the
liaison opens it from the roster."""

import pytest
from playwright.sync_api import expect

from zhangwan.registry.tests.factories import WorkerFactory
from zhangwan.reports.tests.test_profile import certificate, past_class
from zhangwan.tests.browser import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_worker_opens_their_profile_and_prints_it(phone, live_server, role_users):
    own = role_users["worker"].worker
    held = certificate(own)
    past_class(own)
    log_in(phone, live_server, "worker")
    phone.goto(f"{live_server.url}/accounts/me/")
    phone.click("#talent-profile-link")
    expect(phone.locator("#certificates")).to_contain_text(held.number)
    expect(phone.locator("#id-number")).to_have_text(own.masked_id_number)
    # The Print button is wired by the static script (no inline script under the CSP).
    phone.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    phone.click("#print-profile")
    assert phone.evaluate("window.printed") == 1
    phone.emulate_media(media="print")
    expect(phone.locator("#print-profile")).to_be_hidden()
    expect(phone.locator("nav.navbar")).to_be_hidden()
    shot(phone, "talent-profile-print")


def test_the_liaison_opens_a_workers_profile_from_the_roster(phone, live_server, role_users, organization):
    worker = WorkerFactory(employer=organization, name="赵焊工")
    log_in(phone, live_server, "liaison")
    phone.goto(f"{live_server.url}/roster/{worker.pk}/")
    phone.click("#talent-profile-link")
    expect(phone.locator("h1")).to_contain_text("赵焊工")
    expect(phone.locator("#training")).to_be_visible()
    shot(phone, "talent-profile-liaison")
