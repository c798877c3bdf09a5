"""Tell people something: an entry in their in-app list and, where they have an address, an e-mail.

``tell`` / ``tell_each`` / ``tell_workers`` store a key of zhangwan/accounts/notices.py and its
parameters; the notification is rendered in the reader's language when shown, and the e-mail in the
platform's language (the reader has no language on file). ``notify`` / ``notify_each`` /
``notify_workers`` still take texts already rendered (kept as legacy text, shown as it is), for
callers not yet moved to keys. E-mails are sent by a Celery task after the commit, so a rolled-back
change never notifies anyone.
"""

from django.conf import settings
from django.utils import translation

from .models import Notification
from .notices import NOTICES, stored_params
from .tasks import send_notification_emails


def _create(notifications: list[Notification]) -> list[Notification]:
    created = Notification.objects.bulk_create(notifications)
    emailed = [n.pk for n in created if n.user.email]
    if emailed:
        send_notification_emails.delay_on_commit(emailed)
    return created


def tell_each(messages) -> list[Notification]:
    """messages: (user, key, params, url) tuples; one insert and one e-mail job for all of them."""
    rows = []
    for user, key, params, url in messages:
        if user is None:
            continue
        if key not in NOTICES:
            raise KeyError(f"Unknown notice {key!r}: add it to zhangwan.accounts.notices.NOTICES")
        rows.append(Notification(user=user, key=key, params=stored_params(params), url=url))
    return _create(rows)


def tell(users, key: str, *, url: str = "", **params) -> list[Notification]:
    """Tell each of users the notice `key` with these parameters."""
    return tell_each((user, key, params, url) for user in users)


def tell_workers(items, key: str, *, params, url: str) -> list[Notification]:
    """Tell the workers behind items (each with `.worker`) who have an account; params is a function
    of the item. One insert for all of them."""
    return tell_each((item.worker.user, key, params(item), url)
                     for item in items if item.worker.user_id is not None)


# Rendered texts (legacy) ---------------------------------------------------------------------------

def notify_each(messages) -> list[Notification]:
    """messages: (user, title, body, url) tuples with texts already rendered, kept as they are."""
    return _create([Notification(user=user, legacy_title=str(title)[:200] or "—", legacy_body=str(body), url=url)
                    for user, title, body, url in messages if user is not None])


def notify(users, *, title: str, body: str = "", url: str = "") -> list[Notification]:
    return notify_each((user, title, body, url) for user in users)


def notify_workers(items, *, title, body, url: str) -> list[Notification]:
    """Like tell_workers with texts: title and body are functions of the item, rendered in the
    platform's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return notify_each((item.worker.user, title(item), body(item), url)
                           for item in items if item.worker.user_id is not None)
