"""What /healthz checks: the database, the broker and a recent worker heartbeat.

Anyone may ask whether each part is up; only operator staff learn why (the database vendor, the
broker transport, an exception's class), which would otherwise tell a stranger what to attack.
"""

from __future__ import annotations

from typing import NamedTuple

from celery import current_app
from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import Heartbeat
from .services import WORKER_HEARTBEAT


class Check(NamedTuple):
    ok: bool
    detail: str


def database_ok() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure is "down", reported as such
        return Check(ok=False, detail=exc.__class__.__name__)
    return Check(ok=True, detail=connection.vendor)


def broker_ok() -> Check:
    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = conn.transport_cls
    except Exception as exc:  # noqa: BLE001
        return Check(ok=False, detail=exc.__class__.__name__)
    return Check(ok=True, detail=str(transport))


def worker_ok() -> Check:
    try:
        beat = Heartbeat.objects.filter(name=WORKER_HEARTBEAT).first()
    except Exception as exc:  # noqa: BLE001
        return Check(ok=False, detail=exc.__class__.__name__)
    if beat is None:
        return Check(ok=False, detail="no heartbeat yet")
    age = timezone.now() - beat.seen_at
    return Check(
        ok=age <= settings.WORKER_HEARTBEAT_MAX_AGE,
        detail=f"last seen {int(age.total_seconds())}s ago",
    )


def health_report(*, with_details: bool) -> dict:
    """Check every part; say up or down for each, and why only `with_details`."""
    database = database_ok()
    # The heartbeat is in the database: asking again would wait out the pool's timeout twice.
    worker = (
        worker_ok()
        if database.ok
        else Check(ok=False, detail="unknown while the database is down")
    )
    checks = {"database": database, "broker": broker_ok(), "worker": worker}
    if not database.ok:
        status = "down"
    elif all(check.ok for check in checks.values()):
        status = "ok"
    else:
        status = "degraded"
    return {
        "status": status,
        "checks": {
            name: {"ok": check.ok, "status": "up" if check.ok else "down"}
            | ({"detail": check.detail} if with_details else {})
            for name, check in checks.items()
        },
    }
