"""One rate-limit mechanism for every limit: counters in PostgreSQL, per fixed window.

Counters live in the database, so every gunicorn worker and every Celery worker sees the same
count, and a Redis outage (a cache miss by design, zhangwan/cache.py) cannot reset them. One
INSERT ... ON CONFLICT DO UPDATE counts an event and returns the new count in one statement: N
requests at once over a limit of L let exactly L through. Windows are fixed (aligned to the
epoch); the periodic task zhangwan.limits.tasks.purge_rate_counters deletes finished ones.

Count outside a transaction that may roll back (a refused attempt usually raises): a rolled-back
hit is not counted. Keys are stored as keyed digests, never as addresses or identity numbers.

    VERIFY = Limit("certificate-verify", 20, timedelta(minutes=1))

    @rate_limited(VERIFY)                    # every POST from one address counts
    def verify(request): ...

    if PASSWORD_GUESSES.exceeded(key): ...   # check first, count only failures
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import wraps

from django.conf import settings
from django.db import connection
from django.shortcuts import render
from django.utils import timezone

from zhangwan.excel import wants_xlsx
from zhangwan.limits.models import RateCounter
from zhangwan.net import client_ip


def _digest(key: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), str(key).encode(), hashlib.sha256).hexdigest()


def _window(window: timedelta, now: datetime | None = None) -> tuple[datetime, datetime]:
    seconds = int(window.total_seconds())
    if seconds < 1:
        raise ValueError("a rate-limit window lasts at least one second")
    epoch = int((now or timezone.now()).timestamp())
    start = datetime.fromtimestamp(epoch - epoch % seconds, tz=UTC)
    return start, start + timedelta(seconds=seconds)


def _upsert_sql() -> str:
    meta, quote = RateCounter._meta, connection.ops.quote_name
    table = quote(meta.db_table)
    scope, key, start, expires, count = (quote(meta.get_field(name).column)
                                         for name in ("scope", "key", "window_start", "expires_at", "count"))
    return (f"INSERT INTO {table} ({scope}, {key}, {start}, {expires}, {count}) VALUES (%s, %s, %s, %s, 1) "
            f"ON CONFLICT ({scope}, {key}, {start}) DO UPDATE SET {count} = {table}.{count} + 1 "
            f"RETURNING {count}")


def hit(scope: str, key: str, *, limit: int, window: timedelta) -> bool:
    """Count one event; True while the window holds at most `limit` of them, False once over."""
    start, end = _window(window)
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(), [scope, _digest(key), start, end])
        (count,) = cursor.fetchone()
    return count <= limit


def exceeded(scope: str, key: str, *, limit: int, window: timedelta) -> bool:
    """True when the current window already holds `limit` events or more; counts nothing."""
    start, _end = _window(window)
    count = (RateCounter.objects.filter(scope=scope, key=_digest(key), window_start=start)
             .values_list("count", flat=True).first())
    return (count or 0) >= limit


def clear(scope: str, key: str) -> None:
    """Forget every window of this key (e.g. after a successful log-in)."""
    RateCounter.objects.filter(scope=scope, key=_digest(key)).delete()


def purge(now: datetime | None = None) -> int:
    """Delete the counters of windows that are over; returns how many."""
    deleted, _by_model = RateCounter.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


@dataclass(frozen=True)
class Limit:
    """A named limit: at most `limit` events per key in each `window`."""

    scope: str
    limit: int
    window: timedelta

    def hit(self, key: str) -> bool:
        return hit(self.scope, key, limit=self.limit, window=self.window)

    def exceeded(self, key: str) -> bool:
        return exceeded(self.scope, key, limit=self.limit, window=self.window)

    def clear(self, key: str) -> None:
        clear(self.scope, key)

    def retry_after(self) -> int:
        """Seconds until the current window ends."""
        _start, end = _window(self.window)
        return max(1, int((end - timezone.now()).total_seconds()))


def by_user(request) -> str:
    """Key for limits per signed-in user (anonymous requests share the address's key)."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"ip:{client_ip(request)}"


def too_many(request, limit: Limit):
    """The 429 page, in the reader's language, saying when to come back."""
    seconds = limit.retry_after()
    response = render(request, "429.html", {"minutes": max(1, -(-seconds // 60))}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def rate_limited(limit: Limit, key=client_ip, methods=("POST",)):
    """View decorator: each request with one of `methods` counts against `limit` for `key(request)`;
    over the limit the view is not run and the 429 page answers instead."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods and not limit.hit(key(request)):
                return too_many(request, limit)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# Excel exports cost the server a query and a workbook each, and carry personal data: a person
# (or a script with their session) gets at most this many a minute. An export is asked for with
# ?format=xlsx on a list, or at a URL ending in .xlsx (a file of its own).
EXPORTS = Limit("excel-export", 30, timedelta(minutes=1))


def is_export(request) -> bool:
    return wants_xlsx(request) or request.path.endswith(".xlsx")


class ExportLimitMiddleware:
    """Counts each export per signed-in user (per address before signing in), before any work."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_export(request) and not EXPORTS.hit(by_user(request)):
            return too_many(request, EXPORTS)
        return self.get_response(request)
