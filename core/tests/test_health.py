"""/healthz reports database, broker and a recent worker heartbeat; 503 when one is down.

Anyone may learn whether each part is up; only signed-in operator staff learn what it runs on
and why it failed (the vendor, the transport, an exception's class).
"""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from core.models import Heartbeat
from core.tasks import heartbeat_record_task
from partners.tests.factories import SupportStaffFactory
from tests.waiting import wait_until

# What a stranger must not read in the public answer: products, transports, exception classes.
REVEALING = ("postgresql", "redis", "kombu", "transport", "error", "exception", "refused")


def _health(client=None):
    response = (client or Client()).get("/healthz")
    return response.status_code, response.json()


def _reveals(body) -> list[str]:
    text = json.dumps(body).lower()
    return [word for word in REVEALING if word in text]


@pytest.fixture
def broker_down():
    from csp_portal.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    yield
    app.conf.broker_url = previous


def test_health_is_degraded_without_a_worker_heartbeat(db):
    status, body = _health()
    assert status == 503 and body["status"] == "degraded"
    assert body["checks"]["database"] == {"ok": True, "status": "up"}
    assert body["checks"]["broker"] == {"ok": True, "status": "up"}
    assert body["checks"]["worker"] == {"ok": False, "status": "down"}


def test_a_stale_heartbeat_counts_as_a_dead_worker(db):
    Heartbeat.objects.create(name="worker", seen_at=timezone.now() - timedelta(minutes=5))
    status, body = _health()
    assert status == 503 and not body["checks"]["worker"]["ok"]


def test_a_real_worker_heartbeat_makes_health_ok(celery_worker, support_user, client_for):
    heartbeat_record_task.delay()
    wait_until(lambda: Heartbeat.objects.filter(name="worker").exists())
    status, body = _health()
    assert status == 200, body
    assert body["status"] == "ok"
    assert {check["status"] for check in body["checks"].values()} == {"up"}
    assert _reveals(body) == []
    _status, detailed = _health(client_for(support_user))
    assert detailed["checks"]["database"]["detail"] == connection.vendor
    transport = "redis" if connection.vendor == "postgresql" else "filesystem"
    assert transport in detailed["checks"]["broker"]["detail"].lower()
    assert detailed["checks"]["worker"]["detail"].startswith("last seen")


def test_a_broker_that_is_down_is_reported_without_saying_why_to_strangers(
    db, broker_down, global_admin, support_user, client_for
):
    for client in (Client(), client_for(global_admin)):
        status, body = _health(client)
        assert status == 503 and body["status"] == "degraded"
        assert body["checks"]["broker"] == {"ok": False, "status": "down"}
        assert _reveals(body) == []
    status, detailed = _health(client_for(support_user))
    assert status == 503
    assert detailed["checks"]["broker"]["detail"].endswith("Error")
    assert detailed["checks"]["database"]["detail"] == connection.vendor


def test_operator_staff_who_still_owe_their_totp_see_no_details(db, client_for):
    staff = SupportStaffFactory(email="no-totp@portal.example")
    _status, body = _health(client_for(staff))
    assert "detail" not in body["checks"]["database"]
