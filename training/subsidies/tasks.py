from celery import shared_task

from . import engine


@shared_task(acks_late=True, reject_on_worker_lost=True)
def compute_claims(run_id: int) -> int:
    """Compute a run's claims; a rerun (after a crash, or a second delivery) adds nothing twice."""
    return engine.run_execute(run_id).claims_created
