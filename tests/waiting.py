"""Waiting for background work in integration tests, without fixed sleeps."""

import threading
import time

import pytest

from csp_portal.celery import app

_drained = threading.Event()


def wait_until(predicate, *, timeout: float = 15.0, interval: float = 0.05):
    """Poll until predicate() is truthy; fail the test with a clear message when it never is."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout} s")


@app.task(name="tests.worker_queue_drained")
def _queue_drained_task() -> None:
    _drained.set()


def wait_for_the_worker_queue(*, timeout: float = 30.0) -> None:
    """Enqueue a marker behind everything sent so far and wait until the worker reaches it: the
    test worker takes one message at a time, in order."""
    _drained.clear()
    _queue_drained_task.delay()
    wait_until(_drained.is_set, timeout=timeout)
