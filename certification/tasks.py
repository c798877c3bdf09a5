from celery import shared_task

from zhangwan.jobs import acting_user

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def evaluate_eligibility(session_id: int | None = None, user_id: int | None = None) -> int:
    """Decide pending applications (idempotent: decided ones are left alone); user_id: who asked."""
    return services.eligibility_evaluate(session_id=session_id, user=acting_user(user_id))
