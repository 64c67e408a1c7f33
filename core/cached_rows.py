"""Copies of database rows in the shared cache, each stamped with a version that writes renew.

A reader takes the version before it reads the row and stores the copy under it. A write renews
the version at once and again when its transaction commits, in the cache every process shares.
So a copy stored from the row as it was before the commit carries an old version and is never
used, and the next request anywhere reads the change. A copy lives a minute at most: the cache
fails open (core/cache.py), so a renewal that could not reach it leaves a stale copy that long.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

# A version outlives the copies it stamps.
_VERSION_SECONDS = 24 * 3600
COPY_SECONDS = 60


def _current_version(version_key: str) -> str | None:
    cache.add(version_key, secrets.token_hex(8), _VERSION_SECONDS)
    return cache.get(version_key)


def cached_row_get(
    *, copy_key: str, version_key: str, load: Callable[[], T | None], found: dict | None = None
) -> tuple[str | None, T | None]:
    """Return the current version and what `load` reads, from the cache when stored under it.

    `found`: the two keys already read from the cache with others, in one round trip.
    """
    if found is None:
        found = cache.get_many([copy_key, version_key])
    version = found.get(version_key)
    copy = found.get(copy_key)
    if version is not None and copy is not None and copy[0] == version:
        return version, copy[1]
    # Read before the row: a change committed in between gives a newer version than this one.
    version = version or _current_version(version_key)
    value = load()
    if value is not None and version is not None:
        cache.set(copy_key, (version, value), COPY_SECONDS)
    return version, value


def cached_row_replace(*, copy_key: str, version: str | None, value) -> None:
    """Store a copy changed by a write that renews no version, stamped with the version it was
    read in: a write since then has made that one stale."""
    if version is not None:
        cache.set(copy_key, (version, value), COPY_SECONDS)


def versions_renew(version_keys: Iterable[str]) -> None:
    """Give these keys a new version: the copies stored under the old one are not used again."""
    cache.set_many({key: secrets.token_hex(8) for key in version_keys}, _VERSION_SECONDS)


def versions_renew_now_and_on_commit(version_keys: Iterable[str]) -> None:
    # Now, for this process's next read inside the transaction; on commit, for a copy another
    # request stored from the row as it was before the commit.
    keys = list(version_keys)
    versions_renew(keys)
    transaction.on_commit(lambda: versions_renew(keys))
