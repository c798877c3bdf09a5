from celery import shared_task

from zhangwan.jobs import acting_user

from .services import ranking


@shared_task(acks_late=True, reject_on_worker_lost=True)
def check_eligibility(round_id: int, user_id: int | None = None) -> dict:
    """Decide the round's submitted nominations; a rerun changes only what the data now decides differently."""
    return ranking.eligibility_run(round_id=round_id, user=acting_user(user_id))
