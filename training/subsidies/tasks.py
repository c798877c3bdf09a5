from celery import shared_task

from zhangwan.sms import SmsError, send_sms

from . import engine


@shared_task(acks_late=True, reject_on_worker_lost=True)
def compute_claims(run_id: int) -> int:
    """Compute a run's claims; a rerun (after a crash, or a second delivery) adds nothing twice."""
    return engine.run_execute(run_id).claims_created


@shared_task(acks_late=True, autoretry_for=(SmsError,), retry_backoff=True, max_retries=3)
def send_bank_reminder_sms(mobile: str, count: int, amount: str) -> None:
    """One reminder text to a worker without an account whose approved claims wait for bank details."""
    send_sms(mobile=mobile, template="bank_reminder", params={"count": count, "amount": amount})
