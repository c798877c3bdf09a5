"""Fixtures shared by every app's tests: one user per role, two organizations, workers.

Tests run on PostgreSQL and Redis (the ones `make test` chose); Celery runs tasks eagerly
except in the tests that start a real worker.
"""

import fcntl
import gc
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent

# Playwright runs an event loop in the test thread; Django's live_server is synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, worker_id, tmp_path_factory):
    """Under pytest-xdist each worker's test database (test_<name>_gw0, ...) is created as a copy of
    one migrated once for the run, so the workers do not each run every migration. The tests' commits
    do not wait for the disk (`synchronous_commit=off`: a crash loses the last commits of a database
    thrown away at the end anyway)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    options = database.setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()
    if worker_id != "master":
        database["TEST"]["TEMPLATE"] = migrated_template(database, tmp_path_factory.getbasetemp().parent)


def template_name(database) -> str:
    return f"test_{database['NAME']}_template"


def on_server(database, statement):
    import psycopg2

    params = {"host": database["HOST"], "port": database["PORT"], "user": database["USER"],
              "password": database["PASSWORD"]}
    connection = psycopg2.connect(dbname="postgres", **{k: v for k, v in params.items() if v})
    connection.autocommit = True
    try:
        connection.cursor().execute(statement)
    finally:
        connection.close()


def migrated_template(database, shared: Path) -> str:
    """The controller (pytest_sessionstart), or else the first worker, migrates it; the others wait on the
    lock. The controller drops it at the end."""
    name = template_name(database)
    with open(shared / "template-db.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / "template-db.done").exists():
            on_server(database, f'DROP DATABASE IF EXISTS "{name}"')
            on_server(database, f'CREATE DATABASE "{name}"')
            subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True,
                           env={**os.environ, "DATABASE_NAME": name})
            (shared / "template-db.done").touch()
    return name


def pytest_addoption(parser):
    parser.addoption("--cpu-account", action="store_true",
                     help="note each test's processor time and its children's; print where it went "
                          "(zhangwan/tests/cpu_account.py)")


def pytest_configure(config):
    if config.getoption("cpu_account"):
        from zhangwan.tests import cpu_account

        config.pluginmanager.register(cpu_account, "cpu-account")


def pytest_sessionstart(session):
    """Under pytest-xdist the controller starts migrating the template database at once, in a thread, while
    the workers start and collect the tests (the workers wait for it on the lock instead of starting it)."""
    config = session.config
    if hasattr(config, "workerinput") or not config.getoption("numprocesses", None):
        return
    from django.conf import settings

    database = settings.DATABASES["default"]
    shared = config._tmp_path_factory.getbasetemp()  # the workers' base temp directories are inside it
    threading.Thread(target=migrated_template, args=(database, shared), daemon=True).start()


def pytest_sessionfinish(session):
    if not hasattr(session.config, "workerinput") and session.config.getoption("numprocesses", None):
        from django.conf import settings

        database = settings.DATABASES["default"]
        on_server(database, f'DROP DATABASE IF EXISTS "{template_name(database)}"')


DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_server", "django_db_reset_sequences",
                     "django_db_serialized_rollback"}


def needs_database(item) -> bool:
    return item.get_closest_marker("django_db") is not None or bool(DATABASE_FIXTURES & set(item.fixturenames))


def pytest_collection_modifyitems(items):
    """pytest-xdist hands tests to its workers in this order. First the tests that need no database
    (about 175, 15-20 s in all): they run while the template database is migrated, which the workers
    would otherwise wait for; then the tests marked `long` (a long test handed out last would keep one
    worker busy after the others had finished) and those that start a Celery worker (`celery_worker`,
    3-11 s each, mostly waiting on it: handed out last, as pytest-django orders committing tests, their
    waits left the run's end with one core idle); then the rest."""
    items.sort(key=lambda item: (needs_database(item), not any(item.get_closest_marker(first)
                                                             for first in ("long", "celery_worker"))))


def pytest_collection_finish(session):
    """Python's cyclic garbage collector, tuned for the suite's processes: the objects alive once the tests
    are collected (Django, the project's modules, their templates and URLs: about 180,000) are frozen out of
    its walks, and a collection waits for 5,000 new objects instead of 700. The walks' requests each make
    tens of thousands of short-lived objects; with the defaults the collector took 6.5-7.2 s of a 90-second
    walk (zhangwan/tests/matrix: bad queries and the URL matrix), 2.5 s so (docs/performance.md §10). Every
    object is still collected: only less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(5_000, 20, 1_000)


@pytest.fixture(autouse=True)
def _eager_celery():
    from zhangwan.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture(scope="session", autouse=True)
def _quick_flush():
    """A test that commits ends by deleting its rows, not by truncating every table (zhangwan/tests/flush.py)."""
    from zhangwan.tests import flush

    flush.install()


@pytest.fixture(scope="session", autouse=True)
def _test_settings():
    """For the whole session, so that module-scoped worlds (zhangwan/tests/matrix) get them too: a fast
    password hasher (argon2 costs 0.1 s a user), and no annual report PDF: it is made only where
    LibreOffice is installed, never in the tests unless a test gives its own converter
    (zhangwan/reports/tests/test_report.py)."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                           SUMMARY_PDF_CONVERTER=""):
        yield


@pytest.fixture
def sms_outbox(settings, tmp_path):
    """Text messages go to a file backend; call the fixture's value for the messages sent so far."""
    from zhangwan.sms import read_outbox

    directory = tmp_path / "sms"
    settings.SMS_URL = f"file://{directory}"
    return lambda: read_outbox(directory)


@pytest.fixture
def organization(db):
    from zhangwan.registry.tests.factories import OWN_ORGANIZATION, OrganizationFactory

    return OrganizationFactory(name=OWN_ORGANIZATION)


@pytest.fixture
def other_organization(db):
    from zhangwan.registry.tests.factories import OTHER_ORGANIZATION, OrganizationFactory

    return OrganizationFactory(name=OTHER_ORGANIZATION)


@pytest.fixture
def role_users(db, organization):
    """username → user, one per role, the liaison acting for `organization`."""
    from zhangwan.accounts.tests.factories import one_user_per_role

    return one_user_per_role(organization)


@pytest.fixture
def liaison(role_users):
    return role_users["liaison"]


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
# Debian's build of Chromium's headless shell (package chromium-headless-shell, the same engine and version as
# its chromium), the browser Playwright itself runs headless tests in: without the full browser's window and
# profile machinery, a navigation costs about half the processor time and a new context and page a third (the
# suite's browser tests: 158 → 115 core-seconds, docs/performance.md §10). CHROMIUM=/usr/bin/chromium runs them
# in the full browser.
HEADLESS_SHELL = Path("/usr/lib/chromium/chromium-headless-shell")


def chromium_executable() -> str:
    return os.environ.get("CHROMIUM") or str(HEADLESS_SHELL if HEADLESS_SHELL.exists() else "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium (its headless shell, above): Playwright never downloads a browser here. Assertions
    on pages wait up to 15 s (Playwright's default is 5): machines here differ up to 4× in speed, and on a
    slow one running the suite a page answered late is slow, not wrong; a passing assertion waits no longer
    for it."""
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)
    return {**browser_type_launch_args, "executable_path": chromium_executable(), "args": CHROMIUM_ARGS}


PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phones(browser):
    """Make phone-sized pages (one browser context each, so several people can act in one test; keyword
    arguments go to the context, e.g. reduced_motion="reduce").
    The test fails on any console error (CSP violations included) or asset that fails to load."""
    contexts, errors = [], []

    def new_page(**options):
        context = browser.new_context(**{"viewport": PHONE, "locale": "zh-CN", "device_scale_factor": 1, **options})
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


@pytest.fixture
def worker_queue(settings):
    """A real Celery worker taking what the code under test queues (zhangwan/tests/processes.py)."""
    from zhangwan.tests.processes import worker_on_own_queue

    with worker_on_own_queue(settings) as queue:
        yield queue


@pytest.fixture
def not_eager():
    """Tasks go to a broker instead of running in the test (the tests start their own workers)."""
    from zhangwan.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = saved


@pytest.fixture(autouse=True)
def _site_language():
    """Every test begins in the site's language: a request answered in English (LocaleMiddleware
    activates the asker's language on the thread and leaves it there) must not make the next test's
    service messages English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clear_cache():
    """The shared cache keeps roles and permissions between requests (zhangwan/accounts/access_cache.py)
    and knows nothing of a test's rollback: every test starts with it empty."""
    from django.core.cache import caches

    caches["default"].clear()


@pytest.fixture(autouse=True)
def _rate_windows_stand_still(monkeypatch):
    """Rate-limit windows are fixed clock blocks (zhangwan/ratelimit.py): a test's loop that crossed
    a minute boundary on a busy machine would start counting again. Each test counts in the window
    it began in, unless it moves the clock itself (by patching timezone.now)."""
    from django.utils import timezone

    from zhangwan import ratelimit

    began, real_now, real_window = timezone.now(), timezone.now, ratelimit._window

    def window(length, now=None):
        if now is None:
            now = timezone.now() if timezone.now is not real_now else began
        return real_window(length, now)

    monkeypatch.setattr(ratelimit, "_window", window)
