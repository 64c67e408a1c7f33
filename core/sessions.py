"""Sessions read from the cache and written through to the database (Django's cached_db), each
cached copy kept at most CACHED_SECONDS.

The cache fails open (core/cache.py): a logout, or a session key cycled at sign-in, that could
not reach it while it was unreachable from one web node leaves the old copy for the nodes that
still read it. The cap bounds that to a minute instead of the session's whole lifetime; a
session costs a database read at most once a minute.
"""

from __future__ import annotations

from django.contrib.sessions.backends import cached_db

CACHED_SECONDS = 60


def _capped(timeout):
    return CACHED_SECONDS if timeout is None else min(timeout, CACHED_SECONDS)


class _CappedCache:
    def __init__(self, cache):
        self._cache = cache

    def __getattr__(self, name):
        return getattr(self._cache, name)

    def __contains__(self, key) -> bool:
        return key in self._cache

    def set(self, key, value, timeout=None, version=None):
        return self._cache.set(key, value, _capped(timeout), version=version)

    async def aset(self, key, value, timeout=None, version=None):
        return await self._cache.aset(key, value, _capped(timeout), version=version)


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = _CappedCache(self._cache)
