from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def make_annual_report(report_id: int) -> int:
    """Write one annual report; a redelivery after a crash writes it again from the start."""
    return services.report_make(report_id).rows


@shared_task(acks_late=True, reject_on_worker_lost=True)
def prune_figure_changes() -> int:
    """Drop the dashboard's change log rows that every kept entry has seen (periodic, reports/kept.py): two
    statements in a transaction, safe to run twice."""
    from .kept import prune

    return prune()
