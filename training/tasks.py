from celery import shared_task

from zhangwan.jobs import acting_user

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def complete_class(class_id: int, user_id: int | None = None) -> int:
    """Decide each enrollment's outcome once a class has finished (idempotent); user_id: who finished it."""
    return services.class_complete(class_id=class_id, user=acting_user(user_id))
