"""The demo's Skills Masters are the same people wherever the demo is loaded. Its choices (who is
nominated first, each reviewer's marks) came from hashes of primary keys, and keys depend on what the
database held before: in a test database whose sequences had moved on, another nominee came 30th and
tied with the 31st, and the load failed at the shortlist (seen in zhangwan/reports/tests/test_report_2022.py)."""

import datetime

import pytest
from django.db import transaction

from certification.models import Certificate
from zhangwan.demo import masters as demo
from zhangwan.registry.models import Worker, WorkerTrade
from zhangwan.registry.tests.factories import OrganizationFactory, WorkerFactory, make_id_number, trade

pytestmark = pytest.mark.django_db

DAY = datetime.date(demo.YEAR, 8, 31)


def candidates_by_identity(count: int) -> list[str]:
    """The demo's order of `count` qualifying workers, by identity number, in a savepoint rolled back."""
    with transaction.atomic():
        employer = OrganizationFactory()
        for n in range(count):
            worker = WorkerFactory(employer=employer, id_number=make_id_number(9_000 + n, region="420302"))
            WorkerTrade.objects.create(worker=worker, trade=trade(), started_year=2000)
            Certificate.objects.create(number=f"DM{n:06d}", holder=worker, trade=trade(), level=3,
                                       issued_on=datetime.date(2015, 6, 1), source="imported")
        numbers = dict(Worker.objects.values_list("pk", "id_number"))
        order = [numbers[worker_id] for worker_id, _trade in demo._candidates(DAY)]  # noqa: SLF001 - the demo's own choice
        transaction.set_rollback(True)
    return order


def test_the_demo_nominates_the_same_workers_in_the_same_order_whatever_the_primary_keys():
    first = candidates_by_identity(8)
    WorkerFactory.create_batch(13)  # the same workers again, under other primary keys

    assert candidates_by_identity(8) == first
    assert len(first) == 8
