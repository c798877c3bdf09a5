"""The Celery app: Redis broker and result backend, JSON only, late acks.

Tasks are thin wrappers around services; they are queued with ``delay_on_commit``
so a worker never sees a row before the transaction that wrote it commits.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhangwan.settings")

app = Celery("zhangwan", task_cls="zhangwan.jobs.queue:Task")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
