"""Queueing that survives the broker being down.

Every task of the project is an instance of ``Task`` (the Celery app's ``task_cls``), whose
``delay_on_commit`` queues the job after the commit as Celery's does — but if Redis does not answer
then, the page that committed still answers and the job is kept in the database (``PendingJob``),
queued by the periodic ``send_pending_jobs`` once Redis is back. Nothing is lost.
"""

import functools
import logging

from celery import Task as CeleryTask
from django.db import transaction

logger = logging.getLogger(__name__)


def send_or_keep(task, args, kwargs) -> bool:
    """Queue the job now, or keep it for later; True when it reached the broker."""
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=False)
        return True
    except Exception as error:  # the broker's errors come from kombu, redis-py and the socket layer
        from .models import PendingJob

        PendingJob.objects.create(task=task.name, args=list(args), kwargs=kwargs, error=str(error)[:500])
        logger.warning("broker unreachable; %s%s kept to be queued later: %s", task.name, tuple(args), error)
        return False


class Task(CeleryTask):
    def delay_on_commit(self, *args, **kwargs):
        transaction.on_commit(functools.partial(send_or_keep, self, args, kwargs))
