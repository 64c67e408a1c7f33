"""The fleet: web and worker nodes that share no disk, over a shared PostgreSQL (the suite's test
database), a private Redis and a private S3-compatible store (Moto's server).

Each node has its own PORTAL_VAR_DIR; files live only in the bucket. The nodes run the real
processes (gunicorn, `celery worker`) with tests/fleet/settings.py, JSON logs and presigned
delivery. Their logs are printed when a test fails.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.faults import servers

METRICS_TOKEN = "fleet-metrics-token"


@dataclass
class Fleet:
    processes: servers.Processes
    redis: servers.PrivateRedis
    s3: servers.PrivateS3
    bucket: str
    root: Path
    webs: list = field(default_factory=list)
    workers: list = field(default_factory=list)

    def env(self, node: str, **extra: str) -> dict:
        """A node's environment: shared database, Redis and bucket; its own var folder."""
        return servers.portal_env(
            database_url=servers.suite_database_url(),
            redis_url=self.redis.url,
            var_dir=self.root / node,
            PORTAL_TEST_DB="postgresql",
            DJANGO_SETTINGS_MODULE="tests.fleet.settings",
            DOWNLOAD_DELIVERY="storage-url",
            LOG_FORMAT="json",
            CANCELLATION_PROPAGATION_DELAY_SECONDS="2",
            CELERY_BROKER_VISIBILITY_TIMEOUT_SECONDS="5",
            METRICS_TOKEN=METRICS_TOKEN,
            **self.s3.env(self.bucket),
            **extra,
        )

    def worker_start(self, name: str):
        worker = self.processes.worker(self.env(name), name=name)
        self.workers.append(worker)
        return worker


@pytest.fixture(scope="module")
def fleet(django_db_setup, django_db_blocker, s3_server, tmp_path_factory):
    """Two web nodes and two workers, started once for the module."""
    root = tmp_path_factory.mktemp("fleet")
    processes = servers.Processes(root)
    with servers.private_redis() as redis_server:
        nodes = Fleet(
            processes=processes,
            redis=redis_server,
            s3=s3_server,
            bucket=s3_server.bucket_create(f"fleet-{uuid.uuid4().hex[:16]}"),
            root=root,
        )
        try:
            with django_db_blocker.unblock():
                nodes.webs = [
                    processes.web(nodes.env(name), name=name) for name in ("web-a", "web-b")
                ]
                for name in ("worker-1", "worker-2"):
                    nodes.worker_start(name)
            yield nodes
        finally:
            processes.stop_all()
            processes.report()
