from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def make_annual_report(report_id: int) -> int:
    """Write one annual report; a redelivery after a crash writes it again from the start."""
    return services.report_make(report_id).rows
