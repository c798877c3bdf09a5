"""Tell people something: an entry in their in-app list and, where they have an address, an e-mail.

Callers pass texts already rendered in the recipient's language (the platform's default,
Chinese, unless told otherwise). E-mails are sent by a Celery task after the commit, so a
rolled-back change never notifies anyone.
"""

from django.conf import settings
from django.utils import translation

from .models import Notification
from .tasks import send_notification_emails


def notify_each(messages) -> list[Notification]:
    """messages: (user, title, body, url) tuples; one insert and one e-mail job for all of them."""
    created = Notification.objects.bulk_create(
        [Notification(user=user, title=str(title)[:200], body=str(body), url=url)
         for user, title, body, url in messages if user is not None]
    )
    emailed = [n.pk for n in created if n.user.email]
    if emailed:
        send_notification_emails.delay_on_commit(emailed)
    return created


def notify(users, *, title: str, body: str = "", url: str = "") -> list[Notification]:
    return notify_each((user, title, body, url) for user in users)


def notify_workers(items, *, title, body, url: str) -> list[Notification]:
    """Tell the workers behind items (each with `.worker`) who have an account; title and body are
    functions of the item, rendered in the platform's language. One insert for all of them."""
    with translation.override(settings.LANGUAGE_CODE):
        return notify_each((item.worker.user, title(item), body(item), url)
                           for item in items if item.worker.user_id is not None)
