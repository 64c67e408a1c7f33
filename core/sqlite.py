"""SQLite's LIKE folds case in ASCII only; the embedded default must find what PostgreSQL finds.

Django's icontains, iexact and istartswith become LIKE on SQLite but UPPER(...) LIKE UPPER(...)
on PostgreSQL, which folds every letter: without this, a search for "ärzte" misses "Ärzte AG"
only on SQLite. Each new SQLite connection gets a LIKE that folds Unicode case.
"""

from __future__ import annotations

import functools
import re


@functools.lru_cache(maxsize=512)
def _like_regex(pattern: str, escape: str | None) -> re.Pattern:
    parts = []
    chars = iter(pattern)
    for char in chars:
        if char == escape:
            parts.append(re.escape(next(chars, "")))
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL | re.IGNORECASE)


def _like(pattern, value, escape=None):
    # SQLite calls like(pattern, value[, escape]) for "value LIKE pattern [ESCAPE escape]".
    if pattern is None or value is None:
        return None
    return _like_regex(str(pattern), escape).fullmatch(str(value)) is not None


def unicode_like_install(sender, connection, **kwargs) -> None:
    """Give a new SQLite connection a LIKE that folds Unicode case (connection_created)."""
    if connection.vendor != "sqlite":
        return
    for arity in (2, 3):
        connection.connection.create_function("like", arity, _like, deterministic=True)
