from celery import shared_task
from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils import timezone, translation

from .models import Notification


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(OSError,), retry_backoff=True,
             max_retries=5)
def send_notification_emails(notification_ids: list[int]) -> int:
    """Idempotent: a notification is mailed once; a rerun skips what was already sent."""
    pending = list(Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
                   .select_related("user"))
    with translation.override(settings.LANGUAGE_CODE):  # the reader has no language on file
        messages = [(n.title, f"{n.body}\n\n{n.url}".strip(), settings.DEFAULT_FROM_EMAIL, [n.user.email])
                    for n in pending if n.user.email]
    send_mass_mail(messages, fail_silently=False)
    Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=timezone.now())
    return len(messages)


@shared_task
def delete_old_codes_and_locks() -> int:
    """Periodic (beat): one-time codes past their day and claim locks that have ended."""
    from .models import ClaimLock
    from .otp import otp_delete_old

    ClaimLock.objects.filter(locked_until__lt=timezone.now()).delete()
    return otp_delete_old()


@shared_task
def send_password_reset_code(worker_id: int) -> None:
    """The worker's reset code, sent after the page answered: the answer takes as long whether a
    code goes out or not (zhangwan/accounts/reset.py)."""
    from .reset import reset_code_send_now, resettable_worker_by_pk

    reset_code_send_now(worker=resettable_worker_by_pk(worker_id))
