"""GET /metrics: Prometheus's text for the holder of METRICS_TOKEN only, with request latency by
route and status, queries per request, Celery tasks and queue depth, and the portal's counters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from core.roles import Role
from core.tenancy import partner_scope
from csp_portal.celery import app
from customers.tests.factories import CustomerFactory
from orders.services.cancellation import purchase_cancel, purchase_cancellation_complete
from orders.tests.factories import order_for
from tests.waiting import wait_until

TOKEN = "metrics-test-token-4c1d"


@pytest.fixture(autouse=True)
def _token(settings):
    settings.METRICS_TOKEN = TOKEN


def _scrape() -> dict[tuple[str, frozenset], float]:
    response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def _value(samples, name: str, **labels) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@app.task(name="tests.metrics_fails")
def fails_task() -> None:
    raise ValueError("counted as a failure")


@app.task(name="tests.metrics_succeeds")
def succeeds_task() -> int:
    return 1


@pytest.mark.parametrize(
    "header", ["", "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer"]
)
def test_without_the_token_there_are_no_metrics(db, header):
    response = Client().get("/metrics", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"portal_" not in response.content


def test_with_no_token_configured_the_endpoint_does_not_exist(db, settings):
    settings.METRICS_TOKEN = ""
    response = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 404


def test_requests_are_timed_by_route_name_method_and_status(db, global_admin, client_for):
    before = _scrape()
    name = "portal_http_request_duration_seconds_count"
    client = client_for(global_admin)
    for _ in range(3):
        assert client.get("/customers/").status_code == 200
    assert Client().get("/customers/").status_code == 302
    after = _scrape()
    ok = {"route": "customers:list", "method": "GET", "status": "200"}
    sent_to_sign_in = {**ok, "status": "302"}
    assert _value(after, name, **ok) - _value(before, name, **ok) == 3
    assert _value(after, name, **sent_to_sign_in) - _value(before, name, **sent_to_sign_in) == 1
    queries = "portal_http_request_db_queries_sum"
    assert _value(after, queries, route="customers:list") > _value(
        before, queries, route="customers:list"
    )


def test_task_outcomes_and_durations_are_counted_by_task(celery_worker):
    before = _scrape()
    succeeds_task.delay()
    fails_task.delay()
    name = "portal_celery_tasks_total"

    def both_ran():
        now = _scrape()
        return (
            _value(now, name, task="tests.metrics_succeeds", outcome="success")
            - _value(before, name, task="tests.metrics_succeeds", outcome="success")
            == 1
            and _value(now, name, task="tests.metrics_fails", outcome="failure")
            - _value(before, name, task="tests.metrics_fails", outcome="failure")
            == 1
        ) and now

    after = wait_until(both_ran, timeout=30)
    assert _value(after, "portal_celery_task_duration_seconds_count", task="tests.metrics_fails")


def test_queue_depth_counts_the_messages_no_worker_took_yet(transactional_db):
    app.control.purge()
    for _ in range(3):
        succeeds_task.delay()
    try:
        assert _value(_scrape(), "portal_celery_queue_depth", queue="celery") == 3
    finally:
        app.control.purge()
    assert _value(_scrape(), "portal_celery_queue_depth", queue="celery") == 0


def test_cancellations_credits_and_invoices_are_read_from_the_database(
    owner_partner, role_users, settings
):
    settings.CANCELLATION_PROPAGATION_DELAY_SECONDS = 900
    customer = CustomerFactory(partner=owner_partner, country="IT")
    with partner_scope(owner_partner):
        purchases = [order_for(customer).lines.get() for _ in range(2)]
    before = _scrape()
    requested_at = timezone.now()
    with partner_scope(owner_partner):
        for purchase in purchases:
            purchase_cancel(
                partner=owner_partner, actor=role_users[Role.ADMIN_AGENT],
                purchase_id=purchase.pk, acknowledged=True, at=requested_at,
            )
    middle = _scrape()
    cancellations = "portal_cancellations_total"
    assert _value(middle, cancellations, stage="requested") - _value(
        before, cancellations, stage="requested"
    ) == 2
    assert _value(middle, "portal_cancellations_pending", state="waiting") == 2
    assert _value(middle, "portal_cancellations_pending", state="due") == 0

    with partner_scope(owner_partner):
        assert purchase_cancellation_complete(
            purchase_id=purchases[0].pk, at=requested_at + timedelta(minutes=16)
        )
        assert not purchase_cancellation_complete(
            purchase_id=purchases[0].pk, at=requested_at + timedelta(minutes=17)
        )
    after = _scrape()
    assert _value(after, cancellations, stage="completed") - _value(
        before, cancellations, stage="completed"
    ) == 1
    credits = "portal_credits_booked_total"
    assert _value(after, credits, kind="cancelImmediate") - _value(
        before, credits, kind="cancelImmediate"
    ) == 1
    assert _value(after, "portal_cancellations_pending", state="waiting") == 1
