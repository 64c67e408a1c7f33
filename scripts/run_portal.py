#!/usr/bin/env python
"""Start the portal's web server, Celery worker and Celery beat together; stop them together.

`make run` calls this after migrating and seeding. Ctrl-C (SIGINT) or SIGTERM stops all three:
each gets SIGTERM, and whatever is still running after STOP_TIMEOUT seconds (default 20) is
killed. If one of them dies on its own, the others are stopped and this exits non-zero.

Environment: HOST (default 127.0.0.1), PORT (default 8000), and everything the settings read
(DATABASE_URL, REDIS_URL, ...). Uses the executables beside the running Python, i.e. the venv's.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BIN_DIR = Path(sys.executable).parent  # not resolved: a venv's python is a symlink
POLL_SECONDS = 0.5


def var_dir() -> Path:
    return Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def commands(host: str, port: str, var: Path) -> dict[str, list[str]]:
    return {
        "web": [
            str(BIN_DIR / "gunicorn"), "csp_portal.wsgi:application",
            "--config", str(BASE_DIR / "gunicorn.conf.py"), "--bind", f"{host}:{port}",
        ],
        "worker": [
            str(BIN_DIR / "celery"), "-A", "csp_portal", "worker", "--loglevel", "INFO",
            "--concurrency", "2", "--without-gossip", "--without-mingle", "--without-heartbeat",
        ],
        "beat": [
            str(BIN_DIR / "celery"), "-A", "csp_portal", "beat", "--loglevel", "INFO",
            "--schedule", str(var / "celerybeat-schedule"),
        ],
    }


def _die_with_parent() -> None:
    """In the child, before exec: on Linux, get SIGTERM if this supervisor dies unexpectedly."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    except Exception:  # noqa: BLE001, S110 - best effort; not available off Linux
        pass


def login_table() -> list[str]:
    """The demo sign-ins and the MFA rule, read from the project itself."""
    import django

    django.setup()
    from django.conf import settings

    from demo.partners import DEMO_PARTNERS, DEMO_SUPPORT_EMAIL, demo_password

    lines = []
    for partner in DEMO_PARTNERS:
        lines.append(f"  {partner.name}")
        for email, roles in partner.users:
            lines.append(f"    {email:<32} {', '.join(str(r.label) for r in roles)}")
    lines.append("  Operator")
    lines.append(f"    {DEMO_SUPPORT_EMAIL:<32} Support staff (also the admin site)")
    lines.append(f"  Password for all: {demo_password()}")
    for who, name in (("Admin agents", "ADMIN_AGENTS"), ("operator staff", "OPERATOR_STAFF")):
        if getattr(settings, f"PORTAL_REQUIRE_MFA_FOR_{name}"):
            lines.append(f"  MFA: enforced - {who} must enrol TOTP before anything else.")
        else:
            lines.append(
                f"  MFA: NOT enforced for {who} (demo default; "
                f"PORTAL_REQUIRE_MFA_FOR_{name}=true enforces it)."
            )
    database = settings.DATABASES["default"]
    lines.append(f"  Database: {database['ENGINE'].rsplit('.', 1)[-1]}"
                 f" {database.get('NAME') or ''}".rstrip())
    broker = settings.CELERY_BROKER_URL
    lines.append(f"  Broker: {'filesystem (var/broker)' if broker == 'filesystem://' else 'redis'}")
    return lines


def port_open(host: str, port: int) -> bool:
    target = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104 - only a display/probe
    try:
        with socket.create_connection((target, port), timeout=0.5):
            return True
    except OSError:
        return False


class Supervisor:
    def __init__(self, stop_timeout: float) -> None:
        self.children: dict[str, subprocess.Popen] = {}
        self.stop_timeout = stop_timeout
        self.stop_signal: int | None = None
        self.stopping = False

    def on_signal(self, signum, _frame) -> None:
        if self.stopping:
            # A second Ctrl-C while stopping: do not wait any longer.
            print("\nrun_portal: stopping now (kill).", flush=True)
            self.kill_all()
            return
        self.stop_signal = signum

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        # Own session: a terminal's Ctrl-C reaches only this supervisor, which stops the
        # children in order; SIGKILL on the group then catches pool processes left behind.
        self.children[name] = subprocess.Popen(  # noqa: S603 - fixed argv
            argv, cwd=BASE_DIR, env=env, start_new_session=True, preexec_fn=_die_with_parent,
        )
        print(f"run_portal: started {name} (pid {self.children[name].pid})", flush=True)

    def dead_child(self) -> tuple[str, int] | None:
        for name, proc in self.children.items():
            code = proc.poll()
            if code is not None:
                return name, code
        return None

    def kill_all(self) -> None:
        for proc in self.children.values():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)

    def stop_all(self) -> None:
        self.stopping = True
        for name, proc in self.children.items():
            if proc.poll() is None:
                print(f"run_portal: stopping {name} (pid {proc.pid})", flush=True)
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        for name, proc in self.children.items():
            try:
                proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"run_portal: {name} did not stop in {self.stop_timeout:.0f}s; killing it",
                      flush=True)
        # Kill whatever is left in each child's process group (stragglers, pool processes).
        self.kill_all()
        for proc in self.children.values():
            proc.wait()


def main() -> int:
    os.chdir(BASE_DIR)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csp_portal.settings.dev")
    sys.path.insert(0, str(BASE_DIR))
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    var = var_dir()
    for sub in ("broker/queue", "broker/processed", "cache", "media"):
        (var / sub).mkdir(parents=True, exist_ok=True)

    env = dict(os.environ)
    env["PATH"] = f"{BIN_DIR}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("PYTHONUNBUFFERED", "1")

    try:
        banner = login_table()
    except Exception as exc:  # noqa: BLE001 - the banner is a courtesy; the servers still start
        banner = [f"  (could not read the demo logins: {exc.__class__.__name__}: {exc})"]

    supervisor = Supervisor(stop_timeout=float(os.environ.get("STOP_TIMEOUT", "20")))
    signal.signal(signal.SIGINT, supervisor.on_signal)
    signal.signal(signal.SIGTERM, supervisor.on_signal)

    shown_host = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104
    url = f"http://{shown_host}:{port}/"
    print(f"run_portal: starting web, worker and beat for {url}", flush=True)
    for name, argv in commands(host, port, var).items():
        if supervisor.stop_signal is None:
            supervisor.start(name, argv, env)

    announced = False
    started = time.monotonic()
    exit_code = 0
    while True:
        if supervisor.stop_signal is not None:
            print(f"\nrun_portal: got {signal.Signals(supervisor.stop_signal).name}; "
                  "stopping web, worker and beat", flush=True)
            break
        dead = supervisor.dead_child()
        if dead is not None:
            name, code = dead
            print(f"\nrun_portal: {name} exited with code {code}; stopping the others",
                  file=sys.stderr, flush=True)
            exit_code = code if code > 0 else (128 - code if code < 0 else 1)
            break
        if not announced and (port_open(host, int(port)) or time.monotonic() - started > 60):
            announced = True
            print("\n" + "=" * 72, flush=True)
            print(f"  CSP Partner Portal: {url}", flush=True)
            print(f"  Health: {url}healthz (worker is 'ok' after its first heartbeat, ~30 s)")
            print("  Demo sign-ins:")
            print("\n".join(banner))
            print("  Ctrl-C stops all three (web, worker, beat).")
            print("=" * 72 + "\n", flush=True)
        time.sleep(POLL_SECONDS)

    supervisor.stop_all()
    print("run_portal: all stopped.", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
