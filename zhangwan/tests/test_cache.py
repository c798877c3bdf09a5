"""The shared cache's client: one redis.Redis object per connection pool, on the real Redis."""

import os

from zhangwan.cache import ResilientRedisCache


def test_it_keeps_one_redis_client_for_every_call():
    cache = ResilientRedisCache(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), {"KEY_PREFIX": "test-cache"})
    cache.set("probe", {"n": 1}, 30)
    assert cache.get("probe") == {"n": 1} and cache.get_many(["probe", "none"]) == {"probe": {"n": 1}}
    assert cache._cache.get_client() is cache._cache.get_client(write=True)
    assert len(cache._cache._clients) == 1
    cache.delete("probe")
