"""Private servers for the fault and fleet tests: a PostgreSQL cluster, a Redis, an S3-compatible
store (Moto's server), the portal's own processes.

Each test that breaks a server starts its own on a free port and never touches the shared ones
the rest of the suite runs on.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NoReturn

import boto3
import psycopg
import pytest
import redis
import requests

from tests.waiting import wait_until

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # not resolved: the venv's python is a symlink
# Generous for a loaded CI machine; a passing run waits only as long as the server needs.
START_TIMEOUT = 60


def unavailable(reason: str) -> NoReturn:
    """Skip on a developer machine without the server binaries; CI must never skip silently."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: fault tests may not be skipped)", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _postgres_bindir() -> Path | None:
    configured = os.environ.get("PG_BINDIR")
    if configured:
        return Path(configured)
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    if versions:
        return versions[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PrivatePostgres:
    """A throw-away cluster in a temporary folder, run as the `postgres` user when we are root."""

    def __init__(self, bindir: Path, root: Path):
        self.bindir, self.root, self.port = bindir, root, free_port()
        self.data = root / "data"

    def _run(self, *args: str, timeout: float = START_TIMEOUT) -> None:
        # initdb refuses to run as root; the cluster belongs to `postgres` as on a real server.
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        result = subprocess.run(
            [*prefix, *args], capture_output=True, text=True, timeout=timeout, check=False,
            cwd="/",
        )
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")

    def init(self) -> None:
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
        )

    def start(self) -> None:
        # Durability settings off: the data lives for one test, and a crash here is the point.
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off -c max_connections=40"
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "server.log"),
            "-w",
            "-t",
            str(START_TIMEOUT),
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, dbname: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def connect(self, dbname: str = "postgres", **kwargs) -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, **kwargs
        )

    def is_running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def standby_create(self, root: Path) -> PrivatePostgres:
        """A streaming replica of this cluster (pg_basebackup -R), not started yet."""
        standby = PrivatePostgres(self.bindir, root)
        standby._run(
            str(self.bindir / "pg_basebackup"),
            "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
            "-D", str(standby.data), "-R", "-X", "stream", "--checkpoint=fast", "--no-sync",
        )
        return standby

    def sql(self, statement: str, dbname: str = "postgres", params=()) -> list[tuple]:
        with self.connect(dbname, autocommit=True) as conn:
            cursor = conn.execute(statement, params)
            return cursor.fetchall() if cursor.description else []


def _cluster_root() -> Path:
    root = Path(tempfile.mkdtemp(prefix="csp-faults-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, user="postgres", group="postgres")
    return root


@contextlib.contextmanager
def private_postgres():
    """A started private cluster; stopped and deleted afterwards."""
    bindir = _postgres_bindir()
    if bindir is None or not (bindir / "initdb").exists():
        unavailable("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        unavailable("runuser is missing: initdb cannot run as the postgres user")
    root = _cluster_root()
    cluster = PrivatePostgres(bindir, root)
    try:
        try:
            cluster.init()
            cluster.start()
        except (RuntimeError, OSError, subprocess.SubprocessError) as error:
            unavailable(f"a private PostgreSQL cluster could not start: {error}")
        yield cluster
    finally:
        if cluster.is_running():
            with contextlib.suppress(RuntimeError, subprocess.SubprocessError):
                cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def private_standby(primary: PrivatePostgres):
    """A started streaming replica of a private cluster; stopped and deleted afterwards."""
    if not (primary.bindir / "pg_basebackup").exists():
        unavailable("pg_basebackup is not installed")
    root = _cluster_root()
    try:
        try:
            standby = primary.standby_create(root)
            standby.start()
        except (RuntimeError, OSError, subprocess.SubprocessError) as error:
            unavailable(f"a streaming replica could not start: {error}")
        yield standby
    finally:
        if (root / "data" / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError, subprocess.SubprocessError):
                PrivatePostgres(primary.bindir, root).stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


class PrivateRedis:
    """redis-server on a free port, in memory only; kill() and start() keep the port."""

    def __init__(self, executable: str):
        self.executable, self.port = executable, free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.executable,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1)
        wait_until(lambda: self._answers(client), timeout=START_TIMEOUT, interval=0.1)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def _answers(self, client) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"redis-server exited with {self.process.returncode}")
        try:
            return client.ping()
        except redis.ConnectionError:
            return False


@contextlib.contextmanager
def private_redis():
    executable = shutil.which("redis-server")
    if executable is None:
        unavailable("redis-server is not installed")
    server = PrivateRedis(executable)
    try:
        server.start()
        yield server
    finally:
        server.kill()


class PrivateS3:
    """Moto's S3-compatible server on a free port: boto3 speaks real HTTP to it."""

    ACCESS_KEY, SECRET_KEY, REGION = "test-access-key", "test-secret-key", "us-east-1"

    def __init__(self, log_dir: Path):
        self.port = free_port()
        self.endpoint_url = f"http://127.0.0.1:{self.port}"
        self._log = (log_dir / "moto-s3.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(self._answers, timeout=START_TIMEOUT, interval=0.1)

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"moto.server exited with {self.process.returncode}")
        try:
            return requests.get(self.endpoint_url, timeout=5).ok
        except requests.ConnectionError:
            return False

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=self.REGION,
            aws_access_key_id=self.ACCESS_KEY,
            aws_secret_access_key=self.SECRET_KEY,
        )

    def bucket_create(self, name: str) -> str:
        self.client().create_bucket(Bucket=name)
        return name

    def settings_apply(self, settings, bucket: str) -> None:
        """Point this test process's storages (pytest-django's `settings`) at `bucket`."""
        from core.storage import object_storage_config, object_storage_options

        options = object_storage_options(self.env(bucket))
        settings.STORAGES = {
            **settings.STORAGES,
            "default": object_storage_config(options, location=""),
        }
        settings.SUPPORT_ATTACHMENT_STORAGE = object_storage_config(
            options, location="support-attachments"
        )
        settings.INVOICE_PDF_STORAGE = object_storage_config(options, location="invoices")

    def env(self, bucket: str) -> dict[str, str]:
        """The variables that put a process's files in `bucket` (core.storage)."""
        return {
            "AWS_STORAGE_BUCKET_NAME": bucket,
            "AWS_S3_ENDPOINT_URL": self.endpoint_url,
            "AWS_S3_REGION_NAME": self.REGION,
            "AWS_ACCESS_KEY_ID": self.ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": self.SECRET_KEY,
        }

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self._log.close()


@contextlib.contextmanager
def private_s3():
    """A started Moto S3 server; stopped afterwards."""
    log_dir = Path(tempfile.mkdtemp(prefix="csp-s3-"))
    server = PrivateS3(log_dir)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(log_dir, ignore_errors=True)


class PortalProcess:
    """One of the portal's own processes (web, worker, beat) with its log kept for failures."""

    def __init__(self, name: str, argv: list[str], env: dict, log_dir: Path):
        self.name, self.log = name, log_dir / f"{name}.log"
        self._log_file = self.log.open("wb")
        self.process = subprocess.Popen(
            argv,
            cwd=REPO,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole process group: a worker's pool children die with it."""
        if self.alive():
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        # Killed rather than asked: it is thrown away with the test, and waiting costs time.
        self.kill()
        self._log_file.close()

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


def suite_database_url() -> str:
    """The suite's test database (pytest-django's), for processes that share a test's rows."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    return f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"


def suite_database_probe() -> psycopg.Connection:
    """A connection of its own to the suite's test database, outside Django's."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    return psycopg.connect(
        host=database["HOST"],
        port=database["PORT"],
        user=database["USER"],
        dbname=database["NAME"],
        autocommit=True,
    )


def blocked_on(table: str) -> bool:
    """Whether a query on `table` waits for a lock in the suite's test database."""
    with suite_database_probe() as probe:
        waiting = probe.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query ILIKE %s",
            [f"%{table}%"],
        ).fetchone()[0]
    return waiting > 0


def portal_env(*, database_url: str, redis_url: str, var_dir: Path, **extra: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "csp_portal.settings.test",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "PORTAL_VAR_DIR": str(var_dir),
        **extra,
    }


class WebProcess(PortalProcess):
    """gunicorn serving csp_portal.wsgi, as in production (threads share one connection pool)."""

    def __init__(self, env: dict, log_dir: Path, name: str = "web"):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        super().__init__(
            name,
            [
                str(BIN / "gunicorn"),
                "csp_portal.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--threads",
                "4",
                "--timeout",
                "120",
                "--graceful-timeout",
                "5",
                "--no-control-socket",
                "--logger-class",
                "core.logging.RedactingGunicornLogger",
            ],
            env,
            log_dir,
        )

    def wait_ready(self) -> None:
        wait_until(self._answers, timeout=START_TIMEOUT, interval=0.2)

    def _answers(self) -> bool:
        if not self.alive():
            pytest.fail(f"gunicorn exited with {self.process.returncode}:\n{self.tail()}")
        try:
            # The first request loads Django in the worker: slow on a busy machine.
            requests.get(f"{self.base_url}/accounts/login/", timeout=START_TIMEOUT)
        except requests.ConnectionError:
            return False
        return True


def celery(name: str, *args: str, env: dict, log_dir: Path) -> PortalProcess:
    return PortalProcess(
        name, [sys.executable, "-m", "celery", "-A", "csp_portal", *args], env, log_dir
    )


def worker(env: dict, log_dir: Path, name: str = "worker") -> PortalProcess:
    return celery(
        name,
        "worker",
        "-P",
        "solo",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-l",
        "INFO",
        env=env,
        log_dir=log_dir,
    )


class Processes:
    """Starts the portal's processes for a test (or a module) and stops every one afterwards."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.started: list[PortalProcess] = []

    def _keep(self, process):
        self.started.append(process)
        return process

    def web(self, env: dict, name: str = "web") -> WebProcess:
        web = self._keep(WebProcess(env, self.log_dir, name))
        web.wait_ready()
        return web

    def worker(self, env: dict, name: str = "worker") -> PortalProcess:
        return self._keep(worker(env, self.log_dir, name))

    def beat(self, env: dict, name: str = "beat") -> PortalProcess:
        schedule = str(self.log_dir / f"{name}-schedule")
        return self._keep(
            celery(
                name, "beat", "-l", "INFO", "--schedule", schedule, env=env, log_dir=self.log_dir
            )
        )

    def stop_all(self) -> None:
        for process in self.started:
            process.stop()

    def report(self) -> None:
        for process in self.started:
            print(f"----- {process.name} (last lines of {process.log}) -----")
            print(process.tail())
