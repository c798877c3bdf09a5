"""Password reset: workers by identity number and a code by SMS, staff by an e-mailed link, and the
superuser from the admin (zhangwan/accounts/reset.py)."""

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse

from zhangwan.accounts.models import OneTimeCode
from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import PASSWORD, UserFactory
from zhangwan.registry.tests.factories import WorkerFactory

NEW = "Xin-mima#2026"
SENT = "如果该身份证号已注册账号并留有手机号"


@pytest.fixture
def worker_user(db, organization, sms_outbox):
    user = UserFactory(role=Role.WORKER, username="wangxm")
    return WorkerFactory(employer=organization, name="王小明", mobile="13912345678", user=user)


def ask(client, id_number):
    """Step 1; the code is queued after the commit (the test's transaction never commits)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("accounts:worker_reset"), {"id_number": id_number})


def enter(client, code, password=NEW, again=None):
    return client.post(reverse("accounts:worker_reset_code"),
                       {"code": code, "new_password1": password, "new_password2": again or password})


def last_code(sms_outbox):
    message = sms_outbox()[-1]
    assert message["template"] == "password_reset"
    return message["params"]["code"]


def test_the_login_page_links_to_a_chooser_for_workers_and_staff(client, db):
    page = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "忘记密码" in page and reverse("accounts:password_reset") in page
    chooser = client.get(reverse("accounts:password_reset"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert reverse("accounts:worker_reset") in chooser and reverse("accounts:staff_reset") in chooser


def test_a_worker_resets_with_the_code_sent_to_the_mobile_on_file(client, worker_user, sms_outbox):
    other_session = Client()
    other_session.force_login(worker_user.user)
    response = ask(client, worker_user.id_number)
    assert response.url == reverse("accounts:worker_reset_code")
    (message,) = sms_outbox()
    assert message["mobile"] == "13912345678"
    response = enter(client, last_code(sms_outbox))
    assert response.url == reverse("accounts:login")
    worker_user.user.refresh_from_db()
    assert worker_user.user.check_password(NEW)
    # Other sessions end; the reset is in the user's history; the code is used up.
    assert other_session.get(reverse("accounts:profile")).status_code == 302
    entry = LogEntry.objects.get(object_id=str(worker_user.user.pk))
    assert entry.user_id == worker_user.user.pk
    assert OneTimeCode.objects.get().used_at is not None
    history = Client()
    history.force_login(UserFactory(is_superuser=True, is_staff=True))
    page = history.get(reverse("admin:accounts_user_history", args=[worker_user.user.pk]),
                       HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "密码（通过短信验证码重置）" in page


def test_unknown_and_known_identity_numbers_get_the_same_answer(client, worker_user, sms_outbox, organization):
    unclaimed = WorkerFactory(employer=organization)  # no login yet
    answers = []
    for id_number in (worker_user.id_number, unclaimed.id_number, "11010519491231002X"):
        response = ask(Client(HTTP_ACCEPT_LANGUAGE="zh-hans"), id_number)
        assert response.url == reverse("accounts:worker_reset_code")
        answers.append(response.url)
    assert len(set(answers)) == 1 and len(sms_outbox()) == 1
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    ask(page, "11010519491231002X")
    html = page.get(reverse("accounts:worker_reset_code")).content.decode()
    assert SENT in html and "139" not in html


def test_a_wrong_code_changes_nothing_and_an_unknown_number_never_resets(client, worker_user, sms_outbox):
    ask(client, worker_user.id_number)
    code = last_code(sms_outbox)
    response = enter(client, f"{(int(code) + 1) % 10**6:06d}")
    assert response.status_code == 200 and response.context["form"].errors["code"]
    worker_user.user.refresh_from_db()
    assert worker_user.user.check_password(PASSWORD)
    stranger = Client()
    ask(stranger, "11010519491231002X")
    assert enter(stranger, code).status_code == 200


def test_a_weak_password_is_refused_without_using_the_code(client, worker_user, sms_outbox):
    ask(client, worker_user.id_number)
    code = last_code(sms_outbox)
    response = enter(client, code, password="12345678")
    assert response.status_code == 200 and response.context["form"].errors
    assert enter(client, code).url == reverse("accounts:login")


def test_the_code_page_needs_the_first_step(client, db):
    assert client.get(reverse("accounts:worker_reset_code")).url == reverse("accounts:worker_reset")


def test_requests_are_rate_limited_per_address(client, worker_user, sms_outbox):
    for _ in range(10):
        assert ask(client, "11010519491231002X").status_code == 302
    assert ask(client, worker_user.id_number).status_code == 429
    assert sms_outbox() == []


def test_staff_reset_by_an_emailed_link_in_chinese(client, db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    officer = UserFactory(role=Role.TRAINING_OFFICER, email="officer@example.cn")
    other_session = Client()
    other_session.force_login(officer)
    response = client.post(reverse("accounts:staff_reset"), {"email": "officer@example.cn"},
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.url == reverse("accounts:staff_reset_sent")
    (message,) = mail.outbox
    assert "密码" in message.subject and "重置" in message.body
    link = re.search(r"https?://[^/]+(/\S+)", message.body).group(1)
    form_url = client.get(link).url
    page = client.get(form_url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "新密码" in page.content.decode()
    response = client.post(form_url, {"new_password1": NEW, "new_password2": NEW})
    assert response.url == reverse("accounts:staff_reset_complete")
    officer.refresh_from_db()
    assert officer.check_password(NEW)
    assert other_session.get(reverse("accounts:notifications")).status_code == 302
    assert LogEntry.objects.filter(object_id=str(officer.pk)).exists()
    again = client.get(form_url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "该链接已使用或已过期" in again and client.get(link).status_code == 200  # used once
    assert client.post(reverse("accounts:staff_reset"), {"email": "nobody@example.cn"}).url == \
        reverse("accounts:staff_reset_sent")
    assert len(mail.outbox) == 1


def test_the_superuser_sends_a_reset_from_the_admin(client, worker_user, sms_outbox, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    admin = UserFactory(is_superuser=True, is_staff=True)
    officer = UserFactory(role=Role.TRAINING_OFFICER, email="officer@example.cn")
    client.force_login(admin)
    response = client.post(reverse("admin:accounts_user_changelist"),
                           {"action": "send_password_reset", "_selected_action": [officer.pk, worker_user.user.pk]})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["officer@example.cn"]
    (sms,) = sms_outbox()
    assert sms["mobile"] == "13912345678" and sms["template"] == "password_reset"
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)  # nothing set, nothing shown
    assert LogEntry.objects.filter(user=admin, object_id=str(officer.pk)).exists()
    history = client.get(reverse("admin:accounts_user_history", args=[worker_user.user.pk]),
                         HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "密码重置验证码（已发短信）" in history


def test_only_the_superuser_may_send_a_reset(client, worker_user, role_users):
    client.force_login(role_users[Role.AUDITOR.value])
    assert "send_password_reset" not in client.get(reverse("admin:accounts_user_changelist")).content.decode()
    response = client.post(reverse("admin:accounts_user_changelist"),
                           {"action": "send_password_reset", "_selected_action": [worker_user.user.pk]})
    assert response.status_code in (200, 302, 403)
    assert OneTimeCode.objects.count() == 0


def test_the_code_goes_after_the_answer_whatever_the_number(client, worker_user, sms_outbox):
    with TestCase.captureOnCommitCallbacks() as queued:
        response = client.post(reverse("accounts:worker_reset"), {"id_number": worker_user.id_number})
    assert response.url == reverse("accounts:worker_reset_code") and sms_outbox() == [] and len(queued) == 1
    queued[0]()
    assert [m["mobile"] for m in sms_outbox()] == ["13912345678"]
