import pytest
from django.urls import reverse

from zhangwan.accounts.tests.factories import PASSWORD, UserFactory


@pytest.fixture
def user(db):
    return UserFactory(username="zhang")


def login(client, username, password, ip="10.0.0.1"):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_it_logs_in_with_the_right_password(client, user):
    assert login(client, "zhang", PASSWORD).status_code == 302


def test_passwords_are_hashed_with_argon2(db, settings):
    from django.contrib.auth.hashers import get_hasher

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = UserFactory(username="hashcheck")
    assert user.password.startswith("argon2$")
    assert get_hasher("argon2").algorithm == "argon2"


def test_repeated_failures_lock_the_username_from_that_address(client, user):
    for _ in range(5):
        login(client, "zhang", "wrong")
    response = login(client, "zhang", PASSWORD)
    assert response.status_code == 429
    assert "15" in response.content.decode()


def test_the_lockout_does_not_stop_colleagues_behind_the_same_address(client, user):
    UserFactory(username="li")
    for _ in range(5):
        login(client, "zhang", "wrong")
    assert login(client, "li", PASSWORD).status_code == 302


def test_the_locked_user_can_still_log_in_from_another_address(client, user):
    for _ in range(5):
        login(client, "zhang", "wrong")
    assert login(client, "zhang", PASSWORD, ip="10.0.0.2").status_code == 302


def test_login_page_switches_to_english(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Log in" in client.get(reverse("accounts:login")).content.decode()


def test_a_role_given_or_taken_applies_at_the_next_request(client, db):
    from django.contrib.auth.models import Group

    user = UserFactory(username="wang")
    client.force_login(user)
    assert client.get(reverse("registry:roster")).status_code == 403  # roles now cached: none
    user.groups.add(Group.objects.get(name="liaison"))
    assert client.get(reverse("registry:roster")).status_code == 200
    Group.objects.get(name="liaison").user_set.remove(user)
    assert client.get(reverse("registry:roster")).status_code == 403
    user.groups.add(Group.objects.get(name="liaison"))
    Group.objects.get(name="liaison").user_set.clear()
    assert client.get(reverse("registry:roster")).status_code == 403


def test_the_notification_badge_counts_unread(client, role_users):
    from zhangwan.accounts.notifications import notify

    user = role_users["worker"]
    client.force_login(user)
    assert 'hidden' in client.get(reverse("accounts:unread_badge")).content.decode()
    notify([user], title="测试")
    assert ">1<" in client.get(reverse("accounts:unread_badge")).content.decode()


def test_the_lockout_lifts_after_the_cool_off(client, user, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt
    from django.utils import timezone

    for _ in range(5):
        login(client, "zhang", "wrong")
    assert login(client, "zhang", PASSWORD).status_code == 429
    # Fifteen minutes later (settings.AXES_COOLOFF_TIME) the attempts no longer count.
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))
    assert login(client, "zhang", PASSWORD).status_code == 302


PROXY = "10.0.0.254"


def login_behind_proxy(client, username, password, visitor):
    return client.post(reverse("accounts:login"), {"username": username, "password": password},
                       REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=visitor)


def test_behind_the_proxy_one_visitors_failures_do_not_lock_another(client, user, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        login_behind_proxy(client, "zhang", "wrong", "198.51.100.1")
    assert login_behind_proxy(client, "zhang", PASSWORD, "198.51.100.1").status_code == 429
    assert login_behind_proxy(client, "zhang", PASSWORD, "198.51.100.2").status_code == 302


def test_without_a_trusted_proxy_a_forged_forwarded_for_does_not_escape_the_lockout(client, user, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(5):
        login_behind_proxy(client, "zhang", "wrong", f"198.51.100.{n}")
    assert login_behind_proxy(client, "zhang", PASSWORD, "198.51.100.99").status_code == 429
