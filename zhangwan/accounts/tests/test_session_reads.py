"""Each request reads its session and its user with one prepared statement each (zhangwan/accounts/sessions.py,
CachedModelBackend.get_user), and who it finds is who Django's own reads found."""

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhangwan.accounts.models import User

pytestmark = pytest.mark.django_db

PAGE = "accounts:notifications"


def user_of(client):
    return client.get(reverse(PAGE)).wsgi_request.user


def test_a_request_reads_its_session_and_its_user_with_a_prepared_statement_each(client, role_users):
    """Each is prepared once in the database session (zhangwan.prepared.execute) and run by its name."""
    worker = role_users["worker"]
    client.force_login(worker)
    client.get(reverse(PAGE))  # the statements prepared, if this session had not yet
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(PAGE))
    assert response.status_code == 200
    session, user = (q["sql"] for q in queries.captured_queries[:2])
    assert session.startswith("EXECUTE zw_") and f"('{client.session.session_key}', '" in session
    assert user.startswith("EXECUTE zw_") and user.endswith(f"({worker.pk})")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, statement FROM pg_prepared_statements")
        prepared = {name: text.split(" AS ", 1)[1] for name, text in cursor.fetchall()}
    columns = ", ".join(f'"{field.column}"' for field in User._meta.concrete_fields)
    assert prepared[session.split()[1].split("(")[0]] == (
        'SELECT session_data, expire_date FROM "django_session" WHERE session_key = $1 AND expire_date > $2')
    assert prepared[user.split()[1].split("(")[0]] == f'SELECT {columns} FROM "accounts_user" WHERE "id" = $1'
    seen = response.wsgi_request.user
    fresh = User.objects.get(pk=worker.pk)
    assert seen.pk == worker.pk and seen.is_authenticated
    assert [getattr(seen, f.attname) for f in User._meta.concrete_fields] == \
        [getattr(fresh, f.attname) for f in User._meta.concrete_fields]


def test_an_expired_session_a_deactivated_or_deleted_user_and_no_session_are_anonymous(client, role_users):
    worker = role_users["worker"]
    client.force_login(worker)
    assert user_of(client) == worker
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert user_of(client).is_anonymous

    client.force_login(worker)
    User.objects.filter(pk=worker.pk).update(is_active=False)
    assert user_of(client).is_anonymous

    User.objects.filter(pk=worker.pk).update(is_active=True)
    client.force_login(worker)
    assert user_of(client) == worker
    client.cookies[settings.SESSION_COOKIE_NAME] = "no-such-session"
    assert user_of(client).is_anonymous

    client.force_login(worker)
    User.objects.filter(pk=worker.pk).delete()
    assert user_of(client).is_anonymous


def test_a_sessions_stored_text_is_decoded_once_and_each_request_gets_its_own_copy(monkeypatch):
    from django.contrib.sessions.backends.db import SessionStore as Djangos

    from zhangwan.accounts import sessions

    monkeypatch.setattr(sessions, "_DECODED", {})
    store = sessions.SessionStore()
    text = store.encode({"_auth_user_id": "7", "cart": [1, 2]})
    calls = []
    monkeypatch.setattr(Djangos, "decode", lambda self, data: calls.append(data) or {"_auth_user_id": "7",
                                                                                     "cart": [1, 2]})
    first, second = store.decode(text), store.decode(text)
    assert first == second == {"_auth_user_id": "7", "cart": [1, 2]} and calls == [text]
    first["cart"].append(3)
    first["x"] = 1
    assert store.decode(text) == {"_auth_user_id": "7", "cart": [1, 2]}  # another request's copy, untouched


def test_a_session_whose_signature_fails_is_empty_and_not_kept(monkeypatch):
    from zhangwan.accounts import sessions

    monkeypatch.setattr(sessions, "_DECODED", {})
    store = sessions.SessionStore()
    text = store.encode({"_auth_user_id": "7"})
    forged = text[:-3] + ("aaa" if not text.endswith("aaa") else "bbb")
    assert store.decode(forged) == {} and sessions._DECODED == {}
    assert store.decode(text) == {"_auth_user_id": "7"} and list(sessions._DECODED) == [text]
