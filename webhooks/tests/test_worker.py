"""Webhooks on a real Celery worker and broker: delivered after commit, and with the broker down
at commit time the sweep still delivers; a real `celery worker` SIGKILLed while the receiver
holds its request is tests/faults/test_webhook_worker_killed.py."""

from __future__ import annotations

import pytest

from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from orders.tests.factories import order_for
from tests.broker import broker_unreachable
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
