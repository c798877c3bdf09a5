from celery import shared_task

from .models import Worker


@shared_task(acks_late=True, reject_on_worker_lost=True)
def count_workers(organization_id: int | None = None) -> int:
    """How many workers an organization (or the district) has: a cheap round trip through the
    broker, the worker and the database, used by health checks and the integration test."""
    workers = Worker.objects.all()
    if organization_id is not None:
        workers = workers.filter(employer_id=organization_id)
    return workers.count()
