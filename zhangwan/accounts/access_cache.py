"""A user's roles and model permissions kept across requests in the shared cache (Redis in production).

Every page needs the user's roles (their groups) and many check a model permission, which Django's
ModelBackend reads with two queries on each request. Here both are kept in the cache, each entry tagged
with the *access generation* it was read under. Any change to who holds what (a user's groups or
permissions, a group's permissions, a group or permission saved or deleted) starts a new generation at
once and again when its transaction commits, so no entry read before the change is used after it:

- an entry is written only with the generation read *before* its rows were read, so a request that read
  the old rows while the change was being committed tags them with a generation the commit replaces;
- a generation is a fresh random token, never a counter that could come round again, and no entry is
  written while there is none (an evicted generation, or Redis down): nothing old can match.

With Redis down every lookup is a miss (zhangwan/cache.py): the queries of Django, as without a cache.
Entries expire after ``SECONDS`` anyway, which bounds a generation change lost during an outage.
"""

import uuid

from django.core.cache import cache
from django.db import transaction

SECONDS = 300
GENERATION_KEY = "access:generation"


def _generation():
    """The current generation, started if there is none; None while the cache does not answer."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(GENERATION_KEY)
    return generation


def kept(kind: str, user, read):
    """``read(user)`` as of now, from the cache when an entry of this generation is there."""
    key = f"access:{kind}:{user.pk}:{int(user.is_superuser)}"
    found = cache.get_many([key, GENERATION_KEY])
    generation = found.get(GENERATION_KEY) or _generation()
    entry = found.get(key)
    if entry is not None and generation is not None and entry[0] == generation:
        return entry[1]
    value = read(user)
    if generation is not None:
        cache.set(key, (generation, value), SECONDS)
    return value


def new_generation():
    """Who holds what has changed: every kept entry is read again, now and after the commit."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(GENERATION_KEY, uuid.uuid4().hex, None))


def on_change(sender, **kwargs):
    """Receiver for the signals of every model and relation that says who holds what (apps.py)."""
    action = kwargs.get("action")
    if action is None or action.startswith("post_"):
        new_generation()
