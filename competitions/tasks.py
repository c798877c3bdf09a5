from celery import shared_task

from zhangwan.jobs import acting_user, step_pause

from . import services
from .models import Event


@shared_task(acks_late=True, reject_on_worker_lost=True)
def compute_results(competition_id: int, user_id: int | None = None) -> int:
    """Results of every event of a competition (idempotent: a rerun writes nothing new); user_id: who asked."""
    user = acting_user(user_id)
    changed = 0
    for event_id in Event.objects.filter(competition_id=competition_id).values_list("pk", flat=True):
        changed += services.results_compute(event_id=event_id, user=user)
        step_pause()
    return changed
