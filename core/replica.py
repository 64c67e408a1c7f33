"""Heavy reads on a streaming replica: with DATABASE_REPLICA_URL set, the activity log's list,
chart and CSV export read from it, everything else from the primary.

A replica that does not answer, or that is more than DATABASE_REPLICA_MAX_LAG_SECONDS behind,
is passed over for the primary until a later check finds it well again. Each process checks at
most every REPLICA_CHECK_SECONDS, on a connection of its own with a short timeout, so a dead
replica costs one slow check, not a slow page each time.
"""

from __future__ import annotations

import logging
import threading
import time

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

logger = logging.getLogger(__name__)

REPLICA = "replica"
REPLICA_CHECK_SECONDS = 5
CONNECT_TIMEOUT_SECONDS = 2
# Caught up when all it received is replayed; else as old as the last transaction it replayed.
_LAG_SQL = """
SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()),
                          'Infinity'::float8) END
"""

_lock = threading.Lock()
_state = {"checked_at": float("-inf"), "usable": False}


def replica_lag_seconds() -> float | None:
    """How far the replica is behind, in seconds; None when it cannot be asked."""
    database = settings.DATABASES[REPLICA]
    try:
        with psycopg.connect(
            host=database["HOST"] or None,
            port=database["PORT"] or None,
            user=database["USER"] or None,
            password=database["PASSWORD"] or None,
            dbname=database["NAME"],
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            autocommit=True,
        ) as replica:
            return float(replica.execute(_LAG_SQL).fetchone()[0])
    except psycopg.Error as error:
        logger.warning("read replica unavailable: %s", error.__class__.__name__)
        return None


def read_alias() -> str:
    """The database for the activity log's heavy reads: the replica while usable, else the
    primary."""
    if REPLICA not in settings.DATABASES:
        return DEFAULT_DB_ALIAS
    now = time.monotonic()
    with _lock:
        if now - _state["checked_at"] >= REPLICA_CHECK_SECONDS:
            lag = replica_lag_seconds()
            usable = lag is not None and lag <= settings.DATABASE_REPLICA_MAX_LAG_SECONDS
            if usable != _state["usable"]:
                logger.warning(
                    "activity log reads now go to the %s (replica lag: %s s)",
                    "replica" if usable else "primary",
                    "unknown" if lag is None else f"{lag:.1f}",
                )
            _state.update(checked_at=now, usable=usable)
        return REPLICA if _state["usable"] else DEFAULT_DB_ALIAS
