"""Fault tests start what they break: a PostgreSQL cluster, a Redis, workers, a web process.

The processes are the portal's real ones (gunicorn, `celery worker`, `celery beat`) on the suite's
test database unless a test gives them another. Their logs are printed when a test fails.
"""

from __future__ import annotations

import pytest

from tests.faults import servers


@pytest.fixture
def processes(tmp_path):
    started = servers.Processes(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()
        # Shown by pytest only when the test failed.
        started.report()
