"""Registrations, cancellations and capacity changes from many threads at once, on PostgreSQL."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from django.db import connection

from training import services
from training.models import Enrollment, TrainingClass
from training.tests.factories import open_class
from zhangwan.accounts.roles import Role
from zhangwan.accounts.tests.factories import UserFactory
from zhangwan.registry.tests.factories import WorkerFactory

# THREADS connections at once: the modules that open them share one xdist worker (make test: --dist
# loadgroup), so two never run together and exhaust PostgreSQL's 100 connections ("too many clients").
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("forty-connections")]
THREADS = 40  # PostgreSQL's default allows 100 connections; 40 at once is plenty of contention


def run_at_once(calls):
    """Run the calls on THREADS threads that start together; each thread closes its connection."""
    parties = min(THREADS, len(calls))
    barrier = Barrier(parties)

    def run(indexed):
        index, call = indexed
        try:
            if index < parties:  # the first wave starts together; the rest follow as threads free up
                barrier.wait(timeout=30)
            return call()
        except services.TrainingError as error:
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(run, enumerate(calls)))


def register_call(worker, cls):
    return lambda: services.enrollment_register(worker=worker, training_class=cls, user=None,
                                                channel=Enrollment.Channel.SELF)


def assert_consistent(cls):
    cls.refresh_from_db()
    confirmed = Enrollment.objects.filter(training_class=cls, status="confirmed").count()
    assert confirmed == cls.confirmed_count <= cls.capacity
    waiting = list(Enrollment.objects.filter(training_class=cls).with_position().values_list("position", flat=True))
    assert waiting == list(range(1, len(waiting) + 1))
    queue = list(Enrollment.objects.filter(training_class=cls, status="waitlisted")
                 .order_by("queue_number").values_list("queue_number", flat=True))
    assert len(queue) == len(set(queue))
    return confirmed, len(waiting)


def test_200_registrations_for_30_seats():
    cls = open_class(capacity=30)
    people = WorkerFactory.create_batch(200)
    results = run_at_once([register_call(w, cls) for w in people])
    assert not [r for r in results if isinstance(r, Exception)]
    assert assert_consistent(cls) == (30, 170)
    assert Enrollment.objects.filter(training_class=cls).count() == 200


def test_cancellations_and_registrations_at_the_same_time():
    cls = open_class(capacity=20)
    first = WorkerFactory.create_batch(30)
    seats = [services.enrollment_register(worker=w, training_class=cls, user=None, channel="self") for w in first]
    newcomers = WorkerFactory.create_batch(30)
    leaving = [s for s in seats if s.status == "confirmed"][:10]
    calls = [lambda s=s: services.enrollment_cancel(enrollment=s, user=None) for s in leaving]
    calls += [register_call(w, cls) for w in newcomers]
    results = run_at_once(calls)
    assert not [r for r in results if isinstance(r, Exception)]
    confirmed, waiting = assert_consistent(cls)
    assert confirmed == 20
    assert confirmed + waiting == 30 - 10 + 30
    # The ten who were waiting before the burst were promoted before any newcomer.
    early_waiting = {s.worker_id for s in seats if s.status == "waitlisted"}
    promoted = set(Enrollment.objects.filter(training_class=cls, status="confirmed")
                   .values_list("worker_id", flat=True))
    assert early_waiting <= promoted


def test_capacity_raised_while_people_register():
    cls = open_class(capacity=10)
    officer = UserFactory(role=Role.TRAINING_OFFICER)
    people = WorkerFactory.create_batch(60)
    calls = [register_call(w, cls) for w in people]
    calls.insert(30, lambda: services.class_set_capacity(training_class=cls, capacity=25, user=officer))
    results = run_at_once(calls)
    assert not [r for r in results if isinstance(r, Exception)]
    confirmed, waiting = assert_consistent(cls)
    assert (confirmed, waiting) == (25, 35)
    assert TrainingClass.objects.get(pk=cls.pk).capacity == 25


def test_moves_both_ways_at_once_neither_deadlock_nor_overbook():
    """Staff moving people from A to B and from B to A at the same moment: both classes are locked in
    id order, so the moves wait for each other instead of deadlocking, and neither class is overbooked."""
    first, second = open_class(capacity=6), open_class(capacity=6)
    officer = UserFactory(role=Role.TRAINING_OFFICER)
    here = [services.enrollment_register_by_staff(worker=w, training_class=first, user=officer)
            for w in WorkerFactory.create_batch(6)]
    there = [services.enrollment_register_by_staff(worker=w, training_class=second, user=officer)
             for w in WorkerFactory.create_batch(6)]
    calls = [lambda e=e, to=to: services.enrollment_move(enrollment=e, to_class=to, user=officer)
             for pair in zip(here, there, strict=True) for e, to in ((pair[0], second), (pair[1], first))]
    results = run_at_once(calls)  # a deadlock would raise out of here (only TrainingError is kept)
    assert not [r for r in results if isinstance(r, services.TrainingError)]
    (a_confirmed, a_waiting), (b_confirmed, b_waiting) = assert_consistent(first), assert_consistent(second)
    assert a_confirmed + a_waiting + b_confirmed + b_waiting == 12
    assert Enrollment.objects.filter(status="cancelled").count() == 12
