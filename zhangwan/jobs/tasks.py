from celery import current_app, shared_task
from django.db import transaction


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_pending_jobs() -> int:
    """Queue the jobs kept while the broker was down (periodic). Each is deleted once queued, in the
    same transaction, so a crash in between at worst queues one twice: every job is idempotent."""
    from .models import PendingJob

    sent = 0
    while True:
        with transaction.atomic():
            job = PendingJob.objects.select_for_update(skip_locked=True).order_by("pk").first()
            if job is None:
                return sent
            current_app.tasks[job.task].apply_async(args=job.args, kwargs=job.kwargs, retry=False)
            job.delete()
            sent += 1


@shared_task(acks_late=True, reject_on_worker_lost=True)
def make_export(job_id: int) -> int:
    """Write one list export; a redelivery after a crash writes it again from the start."""
    from .exports import export_make

    return export_make(job_id).rows_done
