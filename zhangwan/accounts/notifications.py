"""Tell people something: an entry in their in-app list and, where they have an address, an e-mail.

Callers pass texts already rendered in the recipient's language (the platform's default,
Chinese, unless told otherwise). E-mails are sent by a Celery task after the commit, so a
rolled-back change never notifies anyone.
"""

from .models import Notification
from .tasks import send_notification_emails


def notify(users, *, title: str, body: str = "", url: str = "") -> list[Notification]:
    users = [u for u in users if u is not None]
    if not users:
        return []
    created = Notification.objects.bulk_create(
        [Notification(user=u, title=str(title), body=str(body), url=url) for u in users]
    )
    emailed = [n.pk for n, u in zip(created, users, strict=True) if u.email]
    if emailed:
        send_notification_emails.delay_on_commit(emailed)
    return created
