"""A real `celery worker` SIGKILLed while the webhook receiver holds its request: the delivery
stays owed (its lease runs out, the outcome was never logged) and the next worker sends it,
with the same webhook-id, so a receiver that deduplicates on it sees the event once."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from orders.tests.factories import order_for
from tests.faults import servers
from tests.waiting import wait_until
from webhooks.models import Delivery, EventType
from webhooks.services import endpoint_create
from webhooks.tasks import deliveries_sweep_task
from webhooks.tests.receiver import receiver_running

pytestmark = [
    pytest.mark.faults, pytest.mark.worker, pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only("the killed worker is a process of its own on the suite's database"),
]


@pytest.fixture
def receiver(settings):
    with receiver_running(settings) as running:
        yield running


def _delivery(partner) -> Delivery:
    with partner_scope(partner):
        return Delivery.objects.get()


def test_a_worker_killed_mid_delivery_leaves_it_to_the_next_worker_with_the_same_id(
    processes, receiver, owner_partner, global_admin, tmp_path
):
    with partner_scope(owner_partner):
        _endpoint, secret = endpoint_create(
            partner=owner_partner, actor=global_admin, url=receiver.url,
            event_types=[EventType.ORDER_CREATED],
        )
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
