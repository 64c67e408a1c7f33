"""Waiting for background work in integration tests, without fixed sleeps."""

import time

import pytest


def wait_until(predicate, *, timeout: float = 15.0, interval: float = 0.05):
    """Poll until predicate() is truthy; fail the test with a clear message when it never is."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout} s")
