"""Fault tests start what they break: a PostgreSQL cluster, a Redis, workers, a web process.

The processes are the portal's real ones (gunicorn, `celery worker`, `celery beat`) on the suite's
test database unless a test gives them another. Their logs are printed when a test fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults import servers


class Processes:
    """Starts the portal's processes for one test and stops every one of them afterwards."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.started: list[servers.PortalProcess] = []

    def _keep(self, process):
        self.started.append(process)
        return process

    def web(self, env: dict) -> servers.WebProcess:
        web = self._keep(servers.WebProcess(env, self.log_dir))
        web.wait_ready()
        return web

    def worker(self, env: dict, name: str = "worker") -> servers.PortalProcess:
        return self._keep(servers.worker(env, self.log_dir, name))

    def beat(self, env: dict) -> servers.PortalProcess:
        schedule = str(self.log_dir / "celerybeat-schedule")
        return self._keep(
            servers.celery(
                "beat", "beat", "-l", "INFO", "--schedule", schedule, env=env, log_dir=self.log_dir
            )
        )

    def stop_all(self) -> None:
        for process in self.started:
            process.stop()

    def report(self) -> None:
        for process in self.started:
            print(f"----- {process.name} (last lines of {process.log}) -----")
            print(process.tail())


@pytest.fixture
def processes(tmp_path):
    started = Processes(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()
        # Shown by pytest only when the test failed.
        started.report()
