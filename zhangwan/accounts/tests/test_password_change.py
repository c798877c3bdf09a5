"""Guessing the current password from a signed-in session is limited per account and per address."""


import pytest
from django.urls import reverse
from django.utils import timezone

from zhangwan.accounts.passwords import GUESSES_PER_ACCOUNT, GUESSES_PER_ADDRESS
from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import PASSWORD, UserFactory

NEW = "Zw-2026-new-pass"
PROXY = "10.0.0.254"


@pytest.fixture
def user(db):
    return UserFactory(username="zhang")


def change(client, old, url="accounts:password_change", **extra):
    return client.post(reverse(url), {"old_password": old, "new_password1": NEW, "new_password2": NEW}, **extra)


def still_has_old_password(user):
    user.refresh_from_db()
    return user.check_password(PASSWORD)


def test_the_right_old_password_changes_it(client, user):
    client.force_login(user)
    assert change(client, PASSWORD).status_code == 302
    assert not still_has_old_password(user)


def test_after_repeated_wrong_old_passwords_even_the_right_one_is_refused(client, user):
    client.force_login(user)
    for _ in range(GUESSES_PER_ACCOUNT.limit):
        assert change(client, "wrong-guess").status_code == 200
    refused = change(client, PASSWORD)
    assert refused.status_code == 429 and "请求过于频繁" in refused.content.decode()
    assert still_has_old_password(user)


def test_the_refusal_lifts_in_the_next_window(client, user, monkeypatch):
    client.force_login(user)
    for _ in range(GUESSES_PER_ACCOUNT.limit):
        change(client, "wrong-guess")
    later = timezone.now() + GUESSES_PER_ACCOUNT.window
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert change(client, PASSWORD).status_code == 302
    assert not still_has_old_password(user)


def test_another_account_is_not_held_up_by_ones_guesses(client, user):
    client.force_login(user)
    for _ in range(GUESSES_PER_ACCOUNT.limit + 1):
        change(client, "wrong-guess")
    colleague = UserFactory(username="li")
    client.force_login(colleague)
    assert change(client, PASSWORD).status_code == 302


def test_behind_the_proxy_the_address_limit_holds_one_visitor_not_another(client, db, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    accounts = GUESSES_PER_ADDRESS.limit // GUESSES_PER_ACCOUNT.limit
    for n in range(accounts):
        client.force_login(UserFactory(username=f"guess{n}"))
        for _ in range(GUESSES_PER_ACCOUNT.limit):
            change(client, "wrong-guess", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")
    fresh = UserFactory(username="fresh")
    client.force_login(fresh)
    assert change(client, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    assert still_has_old_password(fresh)
    assert change(client, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 302


def test_the_admins_password_change_is_limited_too(client, db):
    officer = UserFactory(username="officer", role=Role.TRAINING_OFFICER)
    client.force_login(officer)
    for _ in range(GUESSES_PER_ACCOUNT.limit):
        assert change(client, "wrong-guess", url="admin:password_change").status_code == 200
    assert change(client, PASSWORD, url="admin:password_change").status_code == 429
    assert still_has_old_password(officer)
