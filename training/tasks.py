from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def complete_class(class_id: int) -> int:
    """Decide each enrollment's outcome once a class has finished (idempotent)."""
    return services.class_complete(class_id=class_id)
