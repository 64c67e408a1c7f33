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


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="the embedded leg has no Redis")
def test_a_counter_counts_in_one_round_trip_keeps_its_expiry_and_is_not_revived_once_gone(
    monkeypatch,
):
    cache = FailOpenRedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "incr"})
    cache.delete("counter")
    assert cache.add("counter", 1, 60)
    commands = []
    original = redis.Redis.execute_command

    def counting(self, *args, **kwargs):
        commands.append(args[0])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "execute_command", counting)
    assert cache.incr("counter") == 2
    assert cache.incr("counter", 3) == 5
    assert len(commands) == 2
    client = cache._cache.get_client("counter")
    assert 0 < client.ttl(cache.make_and_validate_key("counter")) <= 60
    cache.delete("counter")
    with pytest.raises(ValueError):
        cache.incr("counter")
    assert cache.get("counter") is None
