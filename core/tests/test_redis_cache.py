"""The shared cache on Redis keeps one redis-py client per connection pool."""

import os

import pytest
import redis

from core.cache import FailOpenRedisCache


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="the embedded leg has no Redis")
def test_cache_calls_build_no_new_redis_client_after_the_first(monkeypatch):
    cache = FailOpenRedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "client-reuse"})
    cache.set("warm", 1)
    built = []
    original_init = redis.Redis.__init__

    def counting_init(self, *args, **kwargs):
        built.append(self)
        original_init(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counting_init)
    cache.get_many(["warm", "cold"])
    cache.add("counter", 0, 60)
    cache.incr("counter")
    cache.delete("counter")
    assert built == []
