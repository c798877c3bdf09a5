"""A user's roles and model permissions kept across requests in the shared cache (Redis in production).

Every page needs the user's roles (their groups) and many check a model permission, which Django's
ModelBackend reads with two queries on each request. Here both are kept in the cache, each entry tagged
with the *access generation* it was read under. Any change to who holds what (a user's groups or
permissions, a group's permissions, a group or permission saved or deleted) starts a new generation at
once and again when its transaction commits, so no entry read before the change is used after it:

- an entry is written only with the generation read *before* its rows were read, so a request that read
  the old rows while the change was being committed tags them with a generation the commit replaces;
- a generation is a fresh random token, never a counter that could come round again, and no entry is
  written while there is none (an evicted generation, or Redis down): nothing old can match;
- a transaction that changed who holds what writes no entry until it ends: what it reads after its change
  is not committed yet, and would stay in the cache if it rolled back. (A test case's own atomic blocks
  stand for the committed database here, as in Django's check of durable blocks.)

The roles and the permissions are asked for together (``KINDS``): a page that needs one nearly always needs
the other, and one round trip to the cache brings both. The entry not asked for yet waits on the user object
(the per-request memo of Django's own permission cache), read as of the same generation, until this thread
starts a new one.

With Redis down every lookup is a miss (zhangwan/cache.py): the queries of Django, as without a cache.
Entries expire after ``SECONDS`` anyway, which bounds a generation change lost during an outage.
"""

import threading
import uuid

from django.core.cache import cache
from django.db import connection, transaction

SECONDS = 300
GENERATION_KEY = "access:generation"
# A generation that expires only starts a new one (every entry read once more); without an expiry each
# test database's generation would stay in a shared Redis for good.
GENERATION_SECONDS = 24 * 3600
KINDS = ("roles", "permissions")
_changed = threading.local()  # .inside: the transaction of this thread that last changed who holds what;
# .count: how many times this thread started a new generation (entries fetched before are not used after)


def _generation():
    """The current generation, started if there is none; None while the cache does not answer."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, GENERATION_SECONDS)
        generation = cache.get(GENERATION_KEY)
    return generation


def kept(kind: str, user, read):
    """``read(user)`` as of now, from the cache when an entry of this generation is there."""
    generation, entry = _fetched(kind, user)
    if entry is not None and generation is not None and entry[0] == generation:
        return entry[1]
    value = read(user)
    if generation is not None and not _changed_in_this_transaction():
        cache.set(_key(kind, user), (generation, value), SECONDS)
    return value


def _key(kind, user):
    return f"access:{kind}:{user.pk}:{int(user.is_superuser)}"


def _fetched(kind, user):
    """(generation, cache entry or None) of ``kind``: fetched with the other kinds in one round trip, or
    as the first of them fetched them for this user object, if this thread started no generation since."""
    fetched = getattr(user, "_access_fetched", None)
    if fetched is not None and fetched[0] == getattr(_changed, "count", 0) and kind in fetched[1]:
        return fetched[1].pop(kind)
    keys = {name: _key(name, user) for name in dict.fromkeys((kind, *KINDS))}
    found = cache.get_many([*keys.values(), GENERATION_KEY])
    generation = found.get(GENERATION_KEY) or _generation()
    user._access_fetched = (getattr(_changed, "count", 0),  # noqa: SLF001 - a per-request memo, as Django's
                            {name: (generation, found.get(key)) for name, key in keys.items() if name != kind})
    return generation, found.get(keys[kind])


def _transaction():
    """The outermost atomic block the application opened; None in autocommit."""
    return next((block for block in connection.atomic_blocks
                 if not block._from_testcase), None)  # noqa: SLF001 - Django's own mark, read as its durable check does


def _changed_in_this_transaction() -> bool:
    block = _transaction()
    return block is not None and block is getattr(_changed, "inside", None)


def new_generation():
    """Who holds what has changed: every kept entry is read again, now and after the commit."""
    _start_generation()
    _changed.inside = _transaction()
    transaction.on_commit(_start_generation)


def _start_generation():
    cache.set(GENERATION_KEY, uuid.uuid4().hex, GENERATION_SECONDS)
    _changed.count = getattr(_changed, "count", 0) + 1


def on_change(sender, **kwargs):
    """Receiver for the signals of every model and relation that says who holds what (apps.py)."""
    action = kwargs.get("action")
    if action is None or action.startswith("post_"):
        new_generation()
