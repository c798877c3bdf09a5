"""A round trip through the real broker and a real worker process that the test starts."""

import pytest
from django.db import transaction

from zhangwan.celery import app
from zhangwan.registry.tasks import count_workers
from zhangwan.registry.tests.factories import WorkerFactory


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
