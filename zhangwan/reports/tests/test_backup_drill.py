"""The backup and restore drill (`make drill`) on a small committed database."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from training.services import enrollment_register
from training.tests.factories import open_class
from zhangwan.registry.tests.factories import WorkerFactory


@pytest.mark.django_db(transaction=True)
def test_the_drill_restores_a_copy_whose_report_is_the_same(organization):
    cls = open_class(provider=organization)
    for _ in range(3):
        enrollment_register(worker=WorkerFactory(employer=organization), training_class=cls, user=None,
                            channel="staff")
    out = io.StringIO()
    call_command("backup_drill", year=cls.starts_on.year, stdout=out)
    assert "no difference" in out.getvalue() and "the drill passed" in out.getvalue()
    with connection.cursor() as cursor:  # the restored copy is dropped afterwards
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname LIKE %s",
                       [connection.settings_dict["NAME"] + "_drill_%"])
        assert cursor.fetchone()[0] == 0


def test_the_first_difference_is_named():
    from zhangwan.reports.management.commands import backup_drill

    assert backup_drill.first_difference({"A": [[(1, "General")]]}, {"A": [[(2, "General")]]}) == \
        "A, row 1: [(1, 'General')] against [(2, 'General')]"
    assert backup_drill.first_difference({"A": []}, {"B": []}).startswith("sheets")
