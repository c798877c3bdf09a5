from celery import shared_task

from zhangwan.jobs import step_pause

from . import services
from .models import Event


@shared_task(acks_late=True, reject_on_worker_lost=True)
def compute_results(competition_id: int) -> int:
    """Results of every event of a competition (idempotent: a rerun writes nothing new)."""
    changed = 0
    for event_id in Event.objects.filter(competition_id=competition_id).values_list("pk", flat=True):
        changed += services.results_compute(event_id=event_id)
        step_pause()
    return changed
