"""A round trip through the real broker and a real worker process that the test starts."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from zhangwan.celery import app
from zhangwan.registry.tasks import count_workers
from zhangwan.registry.tests.factories import WorkerFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker_queue():
    """A Celery worker on its own queue, so a developer's running worker never takes the task."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = {**os.environ, "DATABASE_NAME": settings.DATABASES["default"]["NAME"]}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "zhangwan", "worker", "-Q", queue, "--pool", "solo",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    app.conf.task_always_eager = False
    try:
        yield queue
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0].decode(errors="replace")
        assert "Traceback" not in output, output


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_task_runs_in_a_worker_process_against_the_database(worker_queue, organization):
    WorkerFactory.create_batch(3, employer=organization)
    result = count_workers.apply_async(args=[organization.pk], queue=worker_queue)
    assert result.get(timeout=60) == 3


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_task_queued_on_commit_sees_the_committed_rows(worker_queue, organization):
    with transaction.atomic():
        WorkerFactory.create_batch(2, employer=organization)
        count_workers.apply_async  # noqa: B018 - the same task, queued only after the commit below
        transaction.on_commit(lambda: results.append(
            count_workers.apply_async(args=[organization.pk], queue=worker_queue)))
        results: list = []
        assert results == []
    assert results[0].get(timeout=60) == 2


def test_the_app_is_configured_for_safe_redelivery():
    conf = app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.accept_content == ["json"] and conf.task_serializer == "json"
    assert conf.task_soft_time_limit < conf.task_time_limit
    assert conf.broker_url.startswith(("redis://", "rediss://", "redis+socket://", "unix://"))
