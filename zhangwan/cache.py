"""The shared cache (Redis in production) as a cache only: when Redis does not answer (down,
hung, out of memory, read-only after a failover), a read is a miss, a write is dropped and a
counter counts from zero, so every page still answers from the database. Sessions are never
cached (a delete dropped here would outlive a logout), roles are re-read from the database, and the rate limits count
again from zero until Redis is back — a short window, logged.

After a failure Redis is left alone for RETRY_SECONDS, so a hung server costs one timeout, not one
per cache call of every request."""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
DOWN = (RedisError, OSError)
RETRY_SECONDS = 10


class OneClientPerPool(RedisCacheClient):
    """Django's client builds a new redis.Redis object (its options, its response callbacks) for every cache
    call: a quarter of a page's cache time (issue 21). One per connection pool serves them all: a Redis object
    is thread-safe, each command taking a connection from the pool, which a forked process makes again."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    _down_until = 0.0  # shared by the process's threads; a race only costs one more attempt

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = OneClientPerPool

    def _failed(self, method, error):
        now = time.monotonic()
        if now >= ResilientRedisCache._down_until:
            logger.warning("cache %s: Redis is not answering (%s); serving without the cache for %d s",
                           method, error, RETRY_SECONDS)
        ResilientRedisCache._down_until = now + RETRY_SECONDS


def _tolerant(name, on_failure):
    method = getattr(RedisCache, name)

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if time.monotonic() < ResilientRedisCache._down_until:  # noqa: SLF001 - the class's own state
            return on_failure(*args, **kwargs)
        try:
            return method(self, *args, **kwargs)
        except DOWN as error:
            self._failed(name, error)
            return on_failure(*args, **kwargs)

    return wrapper


def _default(key, default=None, *args, **kwargs):
    return default


def _delta(key, delta=1, *args, **kwargs):
    return delta


# What each operation answers while Redis is down: a miss, a write that did not happen, or a
# counter that starts again.
for _name, _on_failure in {
    "get": _default,
    "get_many": lambda *args, **kwargs: {},
    "has_key": lambda *args, **kwargs: False,
    "set": lambda *args, **kwargs: None,
    "add": lambda *args, **kwargs: False,
    "touch": lambda *args, **kwargs: False,
    "set_many": lambda data, *args, **kwargs: list(data),
    "incr": _delta,
    "decr": lambda key, delta=1, *args, **kwargs: -delta,
    "delete": lambda *args, **kwargs: False,
    "delete_many": lambda *args, **kwargs: None,
    "clear": lambda *args, **kwargs: False,
}.items():
    setattr(ResilientRedisCache, _name, _tolerant(_name, _on_failure))
