"""The shared cache on Redis, failing open: with Redis unreachable it reads as empty and drops
writes, so a Redis outage costs throttling and cached figures, not every page. The embedded
default (no REDIS_URL) keeps the same things in files, with counting made atomic.

What the portal keeps there is rate-limit counters (ours, allauth's sign-in throttles, DRF's),
allauth's record of used TOTP codes, recomputable chart counts and, for minutes at a time, copies
of sessions, of the signed-in user and of catalogue facts: their rows live in the database.
Letting requests through while the counters are gone is the choice core.ratelimits makes: with
the cache down, limits must not lock every partner out of downloads.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps

from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
_UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


def _fail_open(method: Callable, answer: Callable) -> Callable:
    @wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except _UNREACHABLE as error:
            logger.warning("Cache unreachable, %s answered as empty: %s", method.__name__, error)
            return answer(*args, **kwargs)

    return wrapper


def _missing_key(key, *args, **kwargs):
    raise ValueError(f"Key '{key}' not found (the cache is unreachable).")


_INCR_EXISTING = (
    "if redis.call('exists', KEYS[1]) == 1 then return redis.call('incrby', KEYS[1], ARGV[1]) end"
)


class ReusedRedisCacheClient(RedisCacheClient):
    """Django's client, keeping one redis-py client per connection pool, incrementing in one
    round trip.

    Django's builds a new one, with its table of some 170 reply handlers, for every cache call:
    a few calls per request (the session, the user, the rate-limit counter) made that a visible
    share of a cheap request. redis-py's clients are thread-safe; the pool lends connections.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client

    def incr(self, key, delta):
        # Django's asks EXISTS, then INCR: two round trips, and a key expiring in between comes
        # back as a counter without an expiry, which would then never reset.
        client = self.get_client(key, write=True)
        value = client.eval(_INCR_EXISTING, 1, key, delta)
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedRedisCacheClient  # RedisCache.__init__ sets its own

    # add() says "stored" so that callers taking a lock or a first count go ahead (allauth's
    # cache lock and TOTP replay guard, the first count of a rate-limit window).
    add = _fail_open(RedisCache.add, lambda *args, **kwargs: True)
    get = _fail_open(RedisCache.get, lambda key, default=None, version=None: default)
    set = _fail_open(RedisCache.set, lambda *args, **kwargs: None)
    touch = _fail_open(RedisCache.touch, lambda *args, **kwargs: False)
    delete = _fail_open(RedisCache.delete, lambda *args, **kwargs: False)
    get_many = _fail_open(RedisCache.get_many, lambda *args, **kwargs: {})
    has_key = _fail_open(RedisCache.has_key, lambda *args, **kwargs: False)
    incr = _fail_open(RedisCache.incr, _missing_key)
    # The keys that could not be stored: all of them.
    set_many = _fail_open(RedisCache.set_many, lambda data, *args, **kwargs: list(data))
    delete_many = _fail_open(RedisCache.delete_many, lambda *args, **kwargs: None)


class LockedFileBasedCache(FileBasedCache):
    """Django's file cache, with add() and incr() atomic across threads and processes.

    Django's read, then write: requests at the same moment each counted from the same value, so
    the rate limits of the embedded default let every one of them through (16 of 16 against a
    limit of 5). One lock file serialises the counting, which is a few small writes.
    """

    @contextmanager
    def _counting(self) -> Iterator[None]:
        os.makedirs(self._dir, mode=0o700, exist_ok=True)
        # Not a cache file (no .djcache suffix), so clear() and culling leave it alone.
        with open(os.path.join(self._dir, "counting.lock"), "ab") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def add(self, *args, **kwargs):
        with self._counting():
            return super().add(*args, **kwargs)

    def incr(self, *args, **kwargs):
        with self._counting():
            return super().incr(*args, **kwargs)
