import threading
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhangwan.accounts.models import ClaimLock, Notification, OneTimeCode, User
from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.registry.tests.factories import WorkerFactory

STRONG = "Gongren#2026"


@pytest.fixture
def unclaimed(db, organization, sms_outbox):
    return WorkerFactory(employer=organization, name="王小明", mobile="13912345678")


def claim(client, worker, **changes):
    data = {"id_number": worker.id_number, "name": worker.name, "mobile": worker.mobile, **changes}
    return client.post(reverse("accounts:claim"), data)


def enter_code(client, code):
    return client.post(reverse("accounts:claim_code"), {"code": code})


def set_account(client, username="13912345678", password=STRONG):
    return client.post(reverse("accounts:claim_password"),
                       {"username": username, "password1": password, "password2": password})


def sent_code(sms_outbox, worker):
    """The code of the last text message to the worker's mobile."""
    (last, *_rest) = [m for m in reversed(sms_outbox()) if m["mobile"] == worker.mobile]
    assert last["template"] == "claim"
    return last["params"]["code"]


def wrong(code):
    return f"{(int(code) + 1) % 10**6:06d}"


def claim_with_code(client, worker, sms_outbox):
    claim(client, worker)
    return enter_code(client, sent_code(sms_outbox, worker))


def test_it_claims_a_record_with_the_code_sent_to_the_mobile_and_logs_in(client, unclaimed, sms_outbox):
    assert claim(client, unclaimed).url == reverse("accounts:claim_code")
    (message,) = sms_outbox()
    assert message["mobile"] == "13912345678" and "验证码" in message["text"]
    assert enter_code(client, message["params"]["code"]).url == reverse("accounts:claim_password")
    assert set_account(client).url == reverse("accounts:profile")
    unclaimed.refresh_from_db()
    user = unclaimed.user
    assert user.username == "13912345678" and user.full_name == "王小明"
    assert user.groups.filter(name="worker").exists()
    assert user.password.startswith("argon2") or user.check_password(STRONG)
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_the_password_step_needs_the_code(client, unclaimed, sms_outbox):
    claim(client, unclaimed)
    assert client.get(reverse("accounts:claim_password")).status_code == 302
    assert set_account(client).status_code == 302
    unclaimed.refresh_from_db()
    assert unclaimed.user is None and not User.objects.filter(username="13912345678").exists()


def test_the_code_page_shows_the_masked_mobile_and_sends_again_after_a_minute(client, unclaimed, sms_outbox):
    claim(client, unclaimed)
    page = client.get(reverse("accounts:claim_code")).content.decode()
    assert "139****5678" in page and "13912345678" not in page
    client.post(reverse("accounts:claim_code"), {"resend": "1"})
    assert len(sms_outbox()) == 1  # not within the minute
    OneTimeCode.objects.update(created_at=timezone.now() - timedelta(seconds=61))
    client.post(reverse("accounts:claim_code"), {"resend": "1"})
    assert len(sms_outbox()) == 2
    assert enter_code(client, sent_code(sms_outbox, unclaimed)).url == reverse("accounts:claim_password")


def test_a_right_identity_with_a_wrong_code_five_times_is_refused(client, unclaimed, sms_outbox):
    claim(client, unclaimed)
    code = sent_code(sms_outbox, unclaimed)
    for _ in range(5):
        response = enter_code(client, wrong(code))
        assert response.status_code == 200 and response.context["form"].errors["code"]
    response = enter_code(client, code)
    assert response.status_code == 200
    assert client.get(reverse("accounts:claim_password")).status_code == 302
    assert set_account(client).status_code == 302
    unclaimed.refresh_from_db()
    assert unclaimed.user is None


def test_thirty_wrong_attempts_with_fresh_sessions_then_the_right_details_do_not_get_in(db, unclaimed, sms_outbox):
    for attempt in range(30):
        fresh = Client(REMOTE_ADDR=f"198.51.100.{attempt + 1}")  # no cookies, a new address each time
        assert claim(fresh, unclaimed, name=f"王{attempt}明").status_code == 200
    attacker = Client(REMOTE_ADDR="198.51.100.200")
    response = claim(attacker, unclaimed)
    assert response.status_code == 200 and "锁定" in response.content.decode()
    assert attacker.get(reverse("accounts:claim_code")).status_code == 302
    assert set_account(attacker).status_code == 302
    assert sms_outbox() == []
    unclaimed.refresh_from_db()
    assert unclaimed.user is None and not User.objects.filter(username="13912345678").exists()


def test_five_failures_lock_the_record_for_an_hour_then_it_can_be_claimed(client, unclaimed, sms_outbox):
    for _ in range(5):
        claim(Client(), unclaimed, mobile="13900000000")
    assert claim(client, unclaimed).status_code == 200 and sms_outbox() == []
    ClaimLock.objects.update(locked_at=timezone.now() - timedelta(hours=1, seconds=1),
                             locked_until=timezone.now() - timedelta(seconds=1))
    assert claim_with_code(client, unclaimed, sms_outbox).url == reverse("accounts:claim_password")


def test_the_union_and_the_liaison_are_told_once_per_lock(client, unclaimed, role_users, other_organization,
                                                         sms_outbox):
    other_liaison = UserFactory(role=Role.LIAISON, organization=other_organization)
    for _ in range(12):
        claim(Client(), unclaimed, name="不对")
    told = Notification.objects.values_list("user__username", flat=True)
    assert sorted(told) == sorted([role_users[Role.TRAINING_OFFICER].username, role_users[Role.LIAISON].username])
    note = Notification.objects.first()
    assert "王小明" in note.title + note.body and unclaimed.id_number not in note.body
    assert not Notification.objects.filter(user=other_liaison).exists()


def test_one_address_is_limited_across_identity_numbers(client, organization, sms_outbox):
    workers = WorkerFactory.create_batch(21, employer=organization)
    for worker in workers[:20]:
        claim(client, worker, name="不对")
    client.cookies.clear()
    response = claim(client, workers[20])
    assert response.status_code == 200 and sms_outbox() == []
    assert claim(Client(REMOTE_ADDR="198.51.100.7"), workers[20]).status_code == 302


def test_lowercase_x_in_the_identity_number_is_accepted(client, organization, sms_outbox):
    worker = WorkerFactory(employer=organization, id_number="11010519491231002X", name="李华")
    response = claim(client, worker, id_number="11010519491231002x")
    assert response.url == reverse("accounts:claim_code")


@pytest.mark.parametrize("field, value", [("name", "王大明"), ("mobile", "13900000000")])
def test_a_detail_that_does_not_match_claims_nothing(client, unclaimed, field, value, sms_outbox):
    response = claim(client, unclaimed, **{field: value})
    assert response.status_code == 200
    assert "No unclaimed record matches" in response.content.decode() or "没有" in response.content.decode()
    assert client.get(reverse("accounts:claim_code")).status_code == 302
    assert client.get(reverse("accounts:claim_password")).status_code == 302
    assert sms_outbox() == []
    unclaimed.refresh_from_db()
    assert unclaimed.user is None


def test_an_invalid_identity_number_gets_a_message(client, unclaimed):
    response = claim(client, unclaimed, id_number="123")
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"]


def test_a_claimed_record_cannot_be_claimed_again(client, unclaimed, sms_outbox):
    unclaimed.user = User.objects.create_user("someone", password=STRONG)
    unclaimed.save()
    assert claim(client, unclaimed).status_code == 200
    assert sms_outbox() == []


def test_weak_or_mismatched_passwords_are_refused(client, unclaimed, sms_outbox):
    claim_with_code(client, unclaimed, sms_outbox)
    assert set_account(client, "xm", "12345678").status_code == 200
    url = reverse("accounts:claim_password")
    assert client.post(url, {"username": "xm", "password1": STRONG, "password2": STRONG + "x"}).status_code == 200
    assert not User.objects.filter(username="xm").exists()


def test_a_taken_username_is_refused(client, unclaimed, sms_outbox):
    User.objects.create_user("13912345678", password=STRONG)
    claim_with_code(client, unclaimed, sms_outbox)
    response = set_account(client)
    assert response.status_code == 200 and response.context["form"].errors["username"]
    assert Group.objects.get(name="worker").user_set.count() == 0


def test_the_second_browser_to_finish_a_claim_is_sent_to_log_in(organization, sms_outbox):
    """One after the other (not at once): the later one is told the record is claimed, not sent back to
    step one as if it had never proved who it is."""
    worker = WorkerFactory(employer=organization, name="王小明", mobile="13912345678")
    first, second = Client(), Client(REMOTE_ADDR="198.51.100.9")
    claim_with_code(first, worker, sms_outbox)
    OneTimeCode.objects.update(created_at=timezone.now() - timedelta(seconds=61))
    claim_with_code(second, worker, sms_outbox)
    assert set_account(first, "wxm1").url == reverse("accounts:profile")
    late = set_account(second, "wxm2")
    assert late.url == reverse("accounts:login")
    assert "已被认领" in second.get(late.url).content.decode()
    assert not User.objects.filter(username="wxm2").exists()


@pytest.mark.django_db(transaction=True)
def test_two_correct_claims_at_once_make_one_account(organization, sms_outbox):
    worker = WorkerFactory(employer=organization, name="王小明", mobile="13912345678")
    first, second = Client(), Client(REMOTE_ADDR="198.51.100.9")
    claim_with_code(first, worker, sms_outbox)
    OneTimeCode.objects.update(created_at=timezone.now() - timedelta(seconds=61))
    claim_with_code(second, worker, sms_outbox)
    barrier = threading.Barrier(2)
    answers = []

    def finish(client, username):
        barrier.wait()
        try:
            answers.append(set_account(client, username).url)
        finally:
            connection.close()

    threads = [threading.Thread(target=finish, args=(first, "wxm1")),
               threading.Thread(target=finish, args=(second, "wxm2"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == sorted([reverse("accounts:profile"), reverse("accounts:login")])
    worker.refresh_from_db()
    assert User.objects.filter(username__in=["wxm1", "wxm2"]).count() == 1
    assert worker.user.username in {"wxm1", "wxm2"}


def test_worker_edits_their_contact_details(client, role_users):
    worker_user = role_users["worker"]
    client.force_login(worker_user)
    mobile = worker_user.worker.mobile
    response = client.post(reverse("accounts:profile_edit"), {"mobile": "13788889999", "education": "college"})
    assert response.url == reverse("accounts:profile")
    worker_user.worker.refresh_from_db()
    assert worker_user.worker.education == "college"
    assert worker_user.worker.mobile == mobile  # changed only with a code (test_contact.py)
    assert worker_user.worker.history.first().history_user == worker_user


def test_worker_edit_with_a_bad_mobile_changes_nothing(client, role_users):
    worker_user = role_users["worker"]
    before = worker_user.worker.mobile
    client.force_login(worker_user)
    response = client.post(reverse("accounts:mobile_change"), {"mobile": "1234"})
    assert response.status_code == 200 and response.context["form"].errors["mobile"]
    worker_user.worker.refresh_from_db()
    assert worker_user.worker.mobile == before


def test_profile_masks_the_workers_own_identity_number(client, role_users):
    worker = role_users["worker"].worker
    client.force_login(role_users["worker"])
    page = client.get(reverse("accounts:profile")).content.decode()
    assert worker.masked_id_number in page and worker.id_number not in page
