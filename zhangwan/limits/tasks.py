from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def purge_rate_counters() -> int:
    """Delete the counters of windows that are over (periodic): one statement, safe to run twice."""
    from zhangwan.ratelimit import purge

    return purge()
