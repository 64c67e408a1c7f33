"""/healthz reports database, broker and a recent worker heartbeat; 503 when one is down."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from core.models import Heartbeat
from core.tasks import heartbeat_record_task
from tests.waiting import wait_until


def _health():
    response = Client().get("/healthz")
    return response.status_code, response.json()


def test_health_is_degraded_without_a_worker_heartbeat(db):
    status, body = _health()
    assert status == 503
    assert body["checks"]["database"]["ok"] and body["checks"]["broker"]["ok"]
    assert not body["checks"]["worker"]["ok"]


def test_a_stale_heartbeat_counts_as_a_dead_worker(db):
    Heartbeat.objects.create(name="worker", seen_at=timezone.now() - timedelta(minutes=5))
    status, body = _health()
    assert status == 503 and not body["checks"]["worker"]["ok"]


def test_a_real_worker_heartbeat_makes_health_ok(celery_worker):
    heartbeat_record_task.delay()
    wait_until(lambda: Heartbeat.objects.filter(name="worker").exists())
    status, body = _health()
    assert status == 200, body
    assert body["status"] == "ok"
    assert body["checks"]["database"]["detail"] == "postgresql"


def test_a_broker_that_is_down_is_reported(db, settings):
    from csp_portal.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        status, body = _health()
    finally:
        app.conf.broker_url = previous
    assert status == 503 and not body["checks"]["broker"]["ok"]
