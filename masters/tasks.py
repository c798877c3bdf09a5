from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def check_eligibility(round_id: int, user_id: int | None = None) -> dict:
    """Decide the round's submitted nominations; a rerun changes only what the data now decides differently."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return services.eligibility_run(round_id=round_id, user=user)
