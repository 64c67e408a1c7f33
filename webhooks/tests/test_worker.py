"""Webhooks on a real Celery worker and broker: delivered after commit, and with the broker down
at commit time the sweep still delivers; a real `celery worker` SIGKILLed while the receiver
holds its request leaves the delivery to the next worker, same webhook-id."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from orders.tests.factories import order_for
from tests.broker import broker_unreachable
from tests.faults import servers
from tests.waiting import wait_for_the_worker_queue, wait_until
from webhooks.models import Delivery, EventType
from webhooks.services import endpoint_create
from webhooks.tasks import deliveries_sweep_task

pytestmark = pytest.mark.worker


def _endpoint(partner, actor, url) -> str:
    with partner_scope(partner):
        return endpoint_create(
            partner=partner, actor=actor, url=url, event_types=[EventType.ORDER_CREATED]
        )[1]


def _delivery(partner) -> Delivery:
    with partner_scope(partner):
        return Delivery.objects.get()


def test_an_order_is_delivered_by_the_worker_once_it_commits(
    celery_worker, receiver, owner_partner, global_admin
):
    secret = _endpoint(owner_partner, global_admin, receiver.url)
    order = order_for(CustomerFactory(partner=owner_partner, country="IT"))
    wait_until(lambda: receiver.received, timeout=30)
    assert receiver.received[0].verified_with(secret)["data"]["id"] == str(order.id)
    wait_until(lambda: _delivery(owner_partner).status == "delivered", timeout=10)


def test_an_event_written_while_the_broker_was_down_is_delivered_by_the_sweep(
    celery_worker, receiver, owner_partner, global_admin, caplog
):
    secret = _endpoint(owner_partner, global_admin, receiver.url)
    with broker_unreachable():
        order = order_for(CustomerFactory(partner=owner_partner, country="IT"))
    assert any("on_commit" in r.getMessage() for r in caplog.records), "the enqueue did fail"
    assert _delivery(owner_partner).status == "pending", "the order and its event committed"
    wait_for_the_worker_queue()
    assert receiver.received == [], "no task reached the broker"

    deliveries_sweep_task.delay()
    wait_until(lambda: receiver.received, timeout=30)
    deliveries_sweep_task.delay()
    wait_for_the_worker_queue()
    (arrived,) = receiver.received
    assert arrived.verified_with(secret)["data"]["id"] == str(order.id)
    assert arrived.webhook_id == _delivery(owner_partner).webhook_id


@pytest.mark.faults
@pytest.mark.postgres_only("the killed worker is a process of its own on the suite's PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_delivery_leaves_it_to_the_next_worker_with_the_same_id(
    processes, receiver, owner_partner, global_admin, tmp_path
):
    secret = _endpoint(owner_partner, global_admin, receiver.url)
    env = servers.portal_env(
        database_url=servers.suite_database_url(), redis_url=settings.REDIS_URL,
        var_dir=tmp_path / "var", DJANGO_SETTINGS_MODULE="tests.faults.settings",
        PORTAL_WEBHOOKS_ALLOW_PRIVATE_NETWORKS="true", PORTAL_WEBHOOKS_ALLOW_HTTP="true",
        # The lease of a killed sender ends quickly, so the test does not wait a minute.
        PORTAL_WEBHOOKS_CLAIM_SECONDS="3",
    )
    receiver.holding.set()
    killed = processes.worker(env, name="killed-worker")
    order_for(CustomerFactory(partner=owner_partner, country="IT"))
    assert receiver.held.wait(timeout=120), killed.tail()
    killed.kill()
    connection.close()
    receiver.holding.clear()
    receiver.released.set()
    delivery = _delivery(owner_partner)
    assert delivery.status == "pending" and delivery.attempts == 1
    with partner_scope(owner_partner):
        assert not delivery.attempt_log.exists(), "the killed worker logged no outcome"

    processes.worker(env)
    wait_until(lambda: timezone.now() > delivery.claim_expires_at, timeout=10)
    deliveries_sweep_task.delay()
    wait_until(lambda: _delivery(owner_partner).status == "delivered", timeout=120, interval=0.5)
    ids = receiver.ids()
    assert set(ids) == {delivery.webhook_id}, "every arrival carries the one id"
    assert receiver.received[-1].verified_with(secret)["type"] == "order.created"
