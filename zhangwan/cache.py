"""The shared cache (Redis in production) as a cache only: when Redis does not answer, a read is a
miss and a write is dropped, so every page still answers from the database. Sessions are
cached_db (the database is their record), roles are re-read from the database, and the rate
limits count again from zero until Redis is back — a short window, logged."""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
DOWN = (RedisConnectionError, RedisTimeoutError, OSError)
LOG_EVERY_SECONDS = 60


class ResilientRedisCache(RedisCache):
    _last_logged = 0.0

    def _down(self, method, error):
        now = time.monotonic()
        if now - ResilientRedisCache._last_logged >= LOG_EVERY_SECONDS:
            ResilientRedisCache._last_logged = now
            logger.warning("cache %s: Redis is not answering (%s); serving without the cache", method, error)


def _tolerant(name, on_failure):
    method = getattr(RedisCache, name)

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except DOWN as error:
            self._down(name, error)
            return on_failure(*args, **kwargs)

    return wrapper


def _default(key, default=None, *args, **kwargs):
    return default


# What each operation answers while Redis is down: a miss, or a write that did not happen.
for _name, _on_failure in {
    "get": _default,
    "get_many": lambda *args, **kwargs: {},
    "has_key": lambda *args, **kwargs: False,
    "set": lambda *args, **kwargs: None,
    "add": lambda *args, **kwargs: False,
    "touch": lambda *args, **kwargs: False,
    "set_many": lambda data, *args, **kwargs: list(data),
    "delete": lambda *args, **kwargs: False,
    "delete_many": lambda *args, **kwargs: None,
    "clear": lambda *args, **kwargs: False,
}.items():
    setattr(ResilientRedisCache, _name, _tolerant(_name, _on_failure))
