"""A logout ends the session in every gunicorn worker, not only in the one that served it: two
real worker processes on the test database, the old cookie tried on both after the logout."""

import contextlib
import http.client
import os
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group

from zhangwan.accounts.tests.factories import PASSWORD, UserFactory
from zhangwan.tests.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PAGE = "/accounts/notifications/badge/"  # any page that needs a login


class Client:
    """Plain HTTP against the gunicorn on `port`, with a cookie jar the test controls."""

    def __init__(self, port):
        self.port, self.cookies = port, {}

    def request(self, method, path, body=None, cookies=None):
        jar = self.cookies if cookies is None else cookies
        headers = {"Accept-Language": "en", "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}
        if method == "POST":
            headers |= {"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": jar.get("csrftoken", "")}
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            if cookies is None:
                for name, value in response.getheaders():
                    if name.lower() == "set-cookie":
                        for morsel in SimpleCookie(value).values():
                            self.cookies[morsel.key] = morsel.value
            return response.status, response.getheader("Location", ""), int(response.getheader("X-Worker-Pid"))
        finally:
            conn.close()


def requests(client, n, cookies, page=PAGE):
    """n GETs of page, four at a time so that both sync workers take some: [(status, location, pid)]."""
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(lambda _: client.request("GET", page, cookies=cookies), range(n)))


@contextlib.contextmanager
def serving(tmp_path, settings_module="zhangwan.settings", **extra_env):
    """Two sync gunicorn workers on the test database (zhangwan.tests.pid_wsgi): a Client for them."""
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module,
           "DATABASE_NAME": django_settings.DATABASES["default"]["NAME"], "PYTHONUNBUFFERED": "1", **extra_env}
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as out:
        app = subprocess.Popen([str(BIN / "gunicorn"), "zhangwan.tests.pid_wsgi:application",
                                "--bind", f"127.0.0.1:{port}", "--workers", "2", "--worker-class", "sync",
                                "--timeout", "60"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        client = Client(port)
        deadline = time.monotonic() + 60
        while True:
            try:
                client.request("GET", "/accounts/login/")
                break
            except OSError:
                assert app.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        yield client
    finally:
        app.terminate()
        app.wait(timeout=30)


@pytest.fixture
def two_workers(transactional_db, tmp_path):
    with serving(tmp_path) as client:
        yield client


def served_by_both(client, page, cookies) -> list:
    """GETs of page until both workers have answered some: [(status, location, pid)]."""
    served = []
    while len({pid for *_, pid in served}) < 2:
        assert len(served) < 400, "gunicorn never sent a request to the second worker"
        served += requests(client, 20, cookies, page)
    return served


def ten_from_each(client, page, cookies, workers) -> list:
    """GETs of page until each of the workers has answered at least ten."""
    after = []
    while min(sum(pid == worker for *_, pid in after) for worker in workers) < 10:
        assert len(after) < 400, "gunicorn never sent a request to one of the workers"
        after += requests(client, 20, cookies, page)
    return after


def test_a_logout_ends_the_session_in_every_gunicorn_worker(two_workers, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # the server's
    UserFactory(username="officer", role="training_officer")
    client = two_workers
    status, location, _ = client.request("POST", "/accounts/login/", f"username=officer&password={PASSWORD}")
    assert status == 302 and "/accounts/login/" not in location
    session = dict(client.cookies)

    # Both workers serve the session (and may keep it in their memory).
    served = served_by_both(client, PAGE, session)
    assert {status for status, *_ in served} == {200}

    status, _, _ = client.request("POST", "/accounts/logout/")
    assert status in (200, 302)

    # The old cookie, on both workers: logged out everywhere.
    after = ten_from_each(client, PAGE, session, {pid for *_, pid in served})
    still_in = [(status, pid) for status, location, pid in after
                if not (status == 302 and location.startswith("/accounts/login/"))]
    assert still_in == []


def test_production_settings_keep_sessions_in_the_database_only():
    """Not cached_db over Redis either: ResilientRedisCache drops a delete while Redis is down, and the
    cached copy would then outlive the logout."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "zhangwan.settings_production",
           "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "skills.zhangwan.example"}
    code = ("import django, importlib; django.setup(); from django.conf import settings; "
            "from django.contrib.sessions.backends import cached_db, db; "
            "store = importlib.import_module(settings.SESSION_ENGINE).SessionStore; "
            "print(issubclass(store, db.SessionStore), issubclass(store, cached_db.SessionStore))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60, check=True)
    assert result.stdout.split() == ["True", "False"]  # Django's database sessions, not the cached ones


def test_a_role_taken_away_is_gone_in_every_gunicorn_worker(transactional_db, tmp_path, settings):
    """Roles and permissions are kept in the shared cache between requests (zhangwan/accounts/access_cache.py):
    with the production cache, a role taken away in one process is gone in both workers at once."""
    prefix = f"test-access-{uuid.uuid4().hex}"
    # the gunicorn workers' cache (settings_shared_cache.py)
    settings.CACHES = {**settings.CACHES, "default": {**django_settings.SHARED_CACHE, "KEY_PREFIX": prefix}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # the server's
    officer = UserFactory(username="officer", role="training_officer")
    page = "/training/manage/classes/"
    with serving(tmp_path, "zhangwan.tests.settings_shared_cache", CACHE_KEY_PREFIX=prefix) as client:
        status, location, _ = client.request("POST", "/accounts/login/", f"username=officer&password={PASSWORD}")
        assert status == 302 and "/accounts/login/" not in location
        session = dict(client.cookies)
        served = served_by_both(client, page, session)  # each worker has read the roles (and kept them)
        assert {status for status, *_ in served} == {200}

        officer.groups.remove(Group.objects.get(name="training_officer"))  # committed: this test's autocommit

        after = ten_from_each(client, page, session, {pid for *_, pid in served})
        assert {status for status, *_ in after} == {403}
