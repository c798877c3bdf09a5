"""The end of a committing test (zhangwan/tests/flush.py) leaves the database as Django's flush does."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import TransactionTestCase

from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.registry.tests.factories import OrganizationFactory, WorkerFactory
from zhangwan.tests import flush


def _state():
    return flush.table_digests(connection, flush._holding_rows(connection, flush._tables(connection)))


@pytest.mark.django_db(transaction=True)
def test_a_committing_tests_rows_are_deleted_and_the_seeded_rows_kept():
    end = TransactionTestCase()
    flush._quick_teardown(end)  # in a new process, the first end flushes and takes the state it leaves
    seeded = _state()
    assert {"registry_trade", "auth_group", "auth_permission", "django_content_type"} <= set(seeded)

    organization = OrganizationFactory()
    WorkerFactory(employer=organization)
    UserFactory()
    assert set(_state()) > set(seeded) and "reports_figurechange" in _state()  # logged by the triggers
    flush._quick_teardown(end)
    assert _state() == seeded


@pytest.mark.django_db(transaction=True)
def test_a_changed_seeded_table_is_flushed_and_written_back():
    end = TransactionTestCase()
    flush._quick_teardown(end)
    seeded = _state()
    Group.objects.get(name="auditor").permissions.clear()  # a test that changed a role's permissions
    OrganizationFactory()
    flush._quick_teardown(end)
    # Flushed and written back by post_migrate: the same rows under new ids, the state taken again.
    assert {table: rows for table, (rows, _digest) in _state().items()} == \
        {table: rows for table, (rows, _digest) in seeded.items()}
    assert _state() == flush._after_flush
    assert Group.objects.get(name="auditor").permissions.exists()
