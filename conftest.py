"""Fixtures shared by every app's tests: one user per role, two organizations, workers.

Tests run on PostgreSQL and Redis (the ones `make test` chose); Celery runs tasks eagerly
except in the tests that start a real worker.
"""

import os

import pytest

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
