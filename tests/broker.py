"""Pointing this process's Celery app at another broker for one block of a test: one that refuses
connections (a real outage, as the code that enqueues meets it, not a mock of the enqueueing
call), or the private Redis that a test's own workers consume."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

# Nothing listens on port 1: a connection there is refused at once.
UNREACHABLE_BROKER_URL = "redis://127.0.0.1:1/0"


@contextlib.contextmanager
def broker_at(url: str) -> Iterator[None]:
    from csp_portal.celery import app

    previous = app.conf.broker_url, app._pool, app.amqp._producer_pool
    app.conf.broker_url = url
    # Fresh connection pools, as Celery makes after a fork: the next enqueue connects anew.
    app._pool = app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.broker_url, app._pool, app.amqp._producer_pool = previous


def broker_unreachable() -> contextlib.AbstractContextManager[None]:
    return broker_at(UNREACHABLE_BROKER_URL)
