"""Each role's main path in headless Chromium, against the live server.

Phone-width screenshots of every page visited are written to test-output/screenshots/.
"""

import re

import pytest
from playwright.sync_api import expect

from zhangwan.registry.models import Worker
from zhangwan.registry.tests.factories import WorkerFactory, make_id_number
from zhangwan.registry.tests.xlsx import roster_rows, workbook_file
from zhangwan.tests.browser import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

def open_menu(page):
    """Open the phone menu and wait until it has finished opening (a click on an item while it is
    still sliding open can be lost)."""
    page.click(".navbar-toggler")
    expect(page.locator("#mainnav.show")).to_be_visible()
    expect(page.locator("#mainnav.collapsing")).to_have_count(0)


def test_liaison_imports_a_roster_and_finds_a_worker(phone, live_server, liaison, tmp_path):
    page = phone
    page.goto(live_server.url)
    shot(page, "home-anonymous")
    log_in(page, live_server, "liaison")
    expect(page.locator("h1")).to_contain_text("欢迎")
    shot(page, "home-liaison")

    page.goto(f"{live_server.url}/roster/import/")
    bad = roster_rows(3)
    bad[1][2] = "123"
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook_file(bad).read())
    page.set_input_files("#id_file", str(path))
    page.click("main form button[type=submit]")
    expect(page.locator("#import-errors")).to_contain_text("手机")
    expect(page.locator("#import-errors")).to_contain_text("3")
    shot(page, "roster-import-errors")
    assert not Worker.objects.filter(name__startswith="工人").exists()

    path = tmp_path / "good.xlsx"
    path.write_bytes(workbook_file(roster_rows(25)).read())
    page.set_input_files("#id_file", str(path))
    page.click("main form button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("25")
    shot(page, "roster-list")

    page.fill("#id_q", "工人17")
    page.click("main form[role=search] button[type=submit]")
    expect(page.locator("tbody tr")).to_have_count(1)
    page.click("tbody tr a")
    expect(page.locator("h1")).to_have_text("工人17")
    expect(page.locator("main")).to_contain_text(make_id_number(17)[:6] + "********")
    shot(page, "worker-detail")


def test_worker_claims_their_record_logs_in_and_switches_to_english(phone, live_server, organization, sms_outbox):
    worker = WorkerFactory(employer=organization, name="刘红", mobile="13911112222")
    page = phone
    page.goto(f"{live_server.url}/accounts/claim/")
    page.fill("#id_id_number", worker.id_number)
    page.fill("#id_name", "刘红")
    page.fill("#id_mobile", "13900000000")
    page.click("main button[type=submit]")
    expect(page.locator(".alert-danger, .alert-block, .invalid-feedback, .non-field-errors").first).to_be_visible()
    shot(page, "claim-mismatch")
    page.fill("#id_mobile", "13911112222")
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/accounts/claim/code/$"))
    expect(page.locator("main")).to_contain_text("139****2222")
    shot(page, "claim-code")
    (message,) = sms_outbox()
    assert message["mobile"] == "13911112222"
    page.fill("#id_code", message["params"]["code"])
    page.click("main form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/accounts/claim/password/$"))
    shot(page, "claim-password")
    page.fill("#id_password1", "Hong#Shiyan2026")
    page.fill("#id_password2", "Hong#Shiyan2026")
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/accounts/me/$"))
    expect(page.locator("main")).to_contain_text("刘红")
    shot(page, "profile")

    open_menu(page)
    page.click("#user-menu")
    page.click("#logout")
    log_in(page, live_server, "13911112222", "Hong#Shiyan2026")
    page.goto(f"{live_server.url}/accounts/me/")
    expect(page.locator("h1")).to_have_text("我的档案")

    open_menu(page)
    page.click("#language-menu")
    page.click("button[value=en]")
    expect(page.locator("h1")).to_have_text("My record")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    shot(page, "profile-english")
    page.click("#mobile-change-link")
    page.fill("#id_mobile", "12")
    page.click("main button[type=submit]")
    expect(page.locator("main")).to_contain_text("mainland mobile number")
    shot(page, "profile-edit-error")


def test_pages_of_every_role_render_on_a_phone(phone, live_server, role_users):
    page = phone
    for name, path in [("login", "/accounts/login/"), ("claim", "/accounts/claim/"), ("not-found", "/nowhere/")]:
        page.goto(live_server.url + path)
        shot(page, name)
    log_in(page, live_server, "training_officer")
    page.goto(f"{live_server.url}/roster/")
    shot(page, "roster-officer")
    page.goto(f"{live_server.url}/admin/")
    expect(page.locator("#site-name")).to_contain_text("张湾区技能人才服务平台")
    shot(page, "admin-index")
    page.goto(f"{live_server.url}/accounts/me/")
    expect(page.locator("h1")).to_have_text("您无权打开此页面")
    shot(page, "forbidden")


def test_worker_resets_a_forgotten_password_by_sms_on_a_phone(phone, live_server, organization, sms_outbox):
    from zhangwan.accounts.roles import Role
    from zhangwan.accounts.tests.factories import UserFactory

    user = UserFactory(role=Role.WORKER, username="13922223333")
    worker = WorkerFactory(employer=organization, name="张伟", mobile="13922223333", user=user)
    page = phone
    page.goto(f"{live_server.url}/accounts/login/")
    page.click("text=忘记密码")
    expect(page).to_have_url(re.compile(r"/accounts/forgot/$"))
    shot(page, "reset-chooser")
    page.click("text=我是职工")
    page.fill("#id_id_number", worker.id_number)
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/accounts/forgot/worker/code/$"))
    expect(page.locator("main")).to_contain_text("如果该身份证号已注册账号并留有手机号")
    (message,) = sms_outbox()
    assert message["mobile"] == "13922223333" and message["template"] == "password_reset"
    page.fill("#id_code", message["params"]["code"])
    page.fill("#id_new_password1", "Zhang#Wei2026")
    page.fill("#id_new_password2", "Zhang#Wei2026")
    shot(page, "reset-code")
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator("body")).to_contain_text("密码已修改")
    log_in(page, live_server, "13922223333", "Zhang#Wei2026")
    page.goto(f"{live_server.url}/accounts/me/")
    expect(page.locator("h1")).to_have_text("我的档案")


def test_an_invited_liaison_opens_their_account_on_a_phone(phones, live_server, organization):
    """The training officer invites a liaison from "账号管理"; the liaison opens the e-mailed link on a
    phone, chooses a username and password and is in; the officer then finds them in the list."""
    from django.core import mail

    from zhangwan.accounts.roles import Role
    from zhangwan.accounts.tests.factories import UserFactory

    UserFactory(role=Role.TRAINING_OFFICER, username="peixun", full_name="培训干事")
    officer, invitee = phones(), phones()
    log_in(officer, live_server, "peixun")
    open_menu(officer)
    officer.click("text=账号管理")
    officer.click("text=邀请")
    officer.select_option("#id_role", Role.LIAISON.value)
    officer.fill("#id_full_name", "李联络")
    officer.select_option("#id_organization", str(organization.pk))
    officer.fill("#id_email", "li@example.cn")
    shot(officer, "accounts-invite")
    officer.click("main button[type=submit]")
    expect(officer.locator("main")).to_contain_text("李联络")
    shot(officer, "accounts-invitations")
    (message,) = mail.outbox
    link = re.search(r"https?://\S+", message.body).group(0)
    invitee.goto(link)
    expect(invitee.locator("main")).to_contain_text("培训干事")
    invitee.fill("#id_username", "li.lianluo")
    invitee.fill("#id_password1", "Shiyan#Pass2026")
    invitee.fill("#id_password2", "Shiyan#Pass2026")
    shot(invitee, "accounts-invitation-accept")
    invitee.click("main button[type=submit]")
    expect(invitee.locator("body")).to_contain_text("欢迎")
    shot(invitee, "accounts-invitation-accepted")
    invitee.goto(link)
    expect(invitee.locator("main")).to_contain_text("已过期")  # the link works once
    officer.goto(f"{live_server.url}/accounts/manage/")
    expect(officer.locator("main")).to_contain_text("li.lianluo")
    shot(officer, "accounts-list")
