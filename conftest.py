"""Fixtures shared by every app's tests: one user per role, two organizations, workers.

Tests run on PostgreSQL and Redis (the ones `make test` chose); Celery runs tasks eagerly
except in the tests that start a real worker.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent

# Playwright runs an event loop in the test thread; Django's live_server is synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _eager_celery():
    from zhangwan.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sms_outbox(settings, tmp_path):
    """Text messages go to a file backend; call the fixture's value for the messages sent so far."""
    from zhangwan.sms import read_outbox

    directory = tmp_path / "sms"
    settings.SMS_URL = f"file://{directory}"
    return lambda: read_outbox(directory)


@pytest.fixture
def organization(db):
    from zhangwan.registry.tests.factories import OrganizationFactory

    return OrganizationFactory(name="东风商用车有限公司总装配厂")


@pytest.fixture
def other_organization(db):
    from zhangwan.registry.tests.factories import OrganizationFactory

    return OrganizationFactory(name="十堰华鑫汽车零部件有限公司")


@pytest.fixture
def role_users(db, organization):
    """username → user, one per role, the liaison acting for `organization`."""
    from zhangwan.accounts.roles import Role
    from zhangwan.accounts.tests.factories import UserFactory
    from zhangwan.registry.tests.factories import WorkerFactory

    users = {}
    for role in Role:
        users[role.value] = UserFactory(
            username=role.value, role=role, organization=organization if role == Role.LIAISON else None
        )
    WorkerFactory(employer=organization, user=users[Role.WORKER])
    return users


@pytest.fixture
def liaison(role_users):
    return role_users["liaison"]


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--headless=new", "--disable-background-networking",
                 "--disable-component-update"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium: Playwright never downloads a browser here."""
    return {**browser_type_launch_args, "executable_path": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            "args": CHROMIUM_ARGS}


PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phones(browser):
    """Make phone-sized pages (one browser context each, so several people can act in one test).
    The test fails on any console error (CSP violations included) or asset that fails to load."""
    contexts, errors = [], []

    def new_page():
        context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1)
        contexts.append(context)
        page = context.new_page()
        # Pages answered 403/404 on purpose log a console error; only assets that fail count.
        page.on("console", lambda m: errors.append(m.text)
                if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
                if r.status >= 400 and r.request.resource_type != "document" else None)
        return page

    yield new_page
    for context in contexts:
        context.close()
    assert errors == []


@pytest.fixture
def phone(phones):
    return phones()


def start_worker(queue: str, settings, **env) -> subprocess.Popen:
    """A Celery worker process on the test database, taking tasks from this queue only."""
    env = {**os.environ, "DATABASE_NAME": settings.DATABASES["default"]["NAME"], **env}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "zhangwan", "worker", "-Q", queue, "--pool", "solo",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )


def run_with_kill(settings, task, args, *, started, check_killed, done=None, **pause):
    """Run task on a worker slowed by pause (its step-pause variable), SIGKILL the worker once
    started() holds, check_killed(), then run the task again on a normal worker until done()
    (by default: the task finished)."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    slow = start_worker(queue, settings, **pause)
    try:
        task.apply_async(args=args, queue=queue)
        assert wait_for(started), "the job never reached its midpoint"
        os.kill(slow.pid, signal.SIGKILL)
        slow.wait(timeout=30)
    finally:
        slow.kill()
        slow.communicate()
    check_killed()
    again = start_worker(queue, settings)
    try:
        result = task.apply_async(args=args, queue=queue)
        assert wait_for(done or result.ready, seconds=90)
    finally:
        again.terminate()
        again.communicate(timeout=30)


@contextlib.contextmanager
def worker_on_own_queue(settings, **env):
    """A Celery worker (with env) on a queue of its own, which what the code under test queues
    goes to, so a developer's running worker never takes the task."""
    from zhangwan.celery import app

    queue = f"test-{uuid.uuid4().hex[:12]}"
    process = start_worker(queue, settings, **env)
    app.conf.task_always_eager = False
    default_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        yield queue
    finally:
        app.conf.task_default_queue = default_queue
        process.terminate()
        output = process.communicate(timeout=30)[0].decode(errors="replace")
        assert "Traceback" not in output, output


@pytest.fixture
def worker_queue(settings):
    with worker_on_own_queue(settings) as queue:
        yield queue


@pytest.fixture
def not_eager():
    """Tasks go to a broker instead of running in the test (the tests start their own workers)."""
    from zhangwan.celery import app

    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


def wait_for(predicate, seconds=60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits and cached pages live in caches: every test starts with both empty."""
    from django.core.cache import caches

    for name in ("default", "pages"):
        caches[name].clear()
