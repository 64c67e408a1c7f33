"""A broker that refuses connections for one block of a test: a real outage, as the code that
enqueues meets it (the connection is refused), not a mock of the enqueueing call."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

# Nothing listens on port 1: a connection there is refused at once.
UNREACHABLE_BROKER_URL = "redis://127.0.0.1:1/0"


@contextlib.contextmanager
def broker_unreachable() -> Iterator[None]:
    from csp_portal.celery import app

    previous = app.conf.broker_url, app._pool, app.amqp._producer_pool
    app.conf.broker_url = UNREACHABLE_BROKER_URL
    # Fresh connection pools, as Celery makes after a fork: the next enqueue connects anew.
    app._pool = app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.broker_url, app._pool, app.amqp._producer_pool = previous
