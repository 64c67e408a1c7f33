"""What /healthz checks: the database, the broker and a recent worker heartbeat."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import Heartbeat
from .services import WORKER_HEARTBEAT


def database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure is "down", reported as such
        return False, exc.__class__.__name__
    return True, connection.vendor


def broker_ok() -> tuple[bool, str]:
    from csp_portal.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = conn.transport_cls
    except Exception as exc:  # noqa: BLE001
        return False, exc.__class__.__name__
    return True, str(transport)


def worker_ok() -> tuple[bool, str]:
    try:
        beat = Heartbeat.objects.filter(name=WORKER_HEARTBEAT).first()
    except Exception as exc:  # noqa: BLE001
        return False, exc.__class__.__name__
    if beat is None:
        return False, "no heartbeat yet"
    age = timezone.now() - beat.seen_at
    return age <= settings.WORKER_HEARTBEAT_MAX_AGE, f"last seen {int(age.total_seconds())}s ago"


def health_report() -> dict:
    database = database_ok()
    # The heartbeat is in the database: asking again would wait out the pool's timeout twice.
    worker = worker_ok() if database[0] else (False, "unknown while the database is down")
    checks = {"database": database, "broker": broker_ok(), "worker": worker}
    return {
        "status": "ok" if all(ok for ok, _ in checks.values()) else "degraded",
        "checks": {name: {"ok": ok, "detail": detail} for name, (ok, detail) in checks.items()},
    }
