from datetime import timedelta

from celery import shared_task
from django.utils import timezone

# An Idempotency-Key is replayed for a day: long enough for any retry, short enough that the table stays small.
KEPT_FOR = timedelta(days=1)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def purge_idempotency_keys() -> int:
    """Forget the answers kept for keys older than KEPT_FOR (periodic): one statement, safe to run twice."""
    from .models import IdempotentRequest

    deleted, _by_model = IdempotentRequest.objects.filter(created_at__lt=timezone.now() - KEPT_FOR).delete()
    return deleted


@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliver_webhook(delivery_id: int) -> str | None:
    """Post one webhook delivery (zhangwan/api/webhooks.py): a delivery already done is not sent again."""
    from . import webhooks

    return webhooks.deliver(delivery_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliver_due_webhooks() -> int:
    """Retries whose time has come, and deliveries a lost message left behind (periodic)."""
    from . import webhooks

    return webhooks.deliver_due()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def purge_webhook_log() -> int:
    """Forget webhook deliveries finished over a month ago (periodic)."""
    from . import webhooks

    return webhooks.purge_log()
