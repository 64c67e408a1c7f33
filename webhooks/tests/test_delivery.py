"""Webhooks in process, against a real HTTP receiver on loopback: what is written with a change,
how it is signed and shaped, retries with the same id, secret rotation, disabling."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from standardwebhooks.webhooks import WebhookVerificationError

from core.roles import Role
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from orders.services.cancellation import purchase_cancel
from orders.tests.factories import order_for
from outbox.models import Message
from webhooks.delivery import MAX_ATTEMPTS, delivery_send, retry_delay
from webhooks.models import AttemptStatus, Delivery, Endpoint, EventType
from webhooks.services import endpoint_create, endpoint_enable, endpoint_secret_rotate

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint(receiver, owner_partner, global_admin):
    with partner_scope(owner_partner):
        return endpoint_create(
            partner=owner_partner, actor=global_admin, url=receiver.url,
            event_types=[EventType.ORDER_CREATED, EventType.PURCHASE_CANCELLATION_REQUESTED],
        )


def _send_all(partner) -> list[bool]:
    with partner_scope(partner):
        ids = list(Delivery.objects.order_by("pk").values_list("pk", flat=True))
        return [delivery_send(delivery_id=pk) for pk in ids]


def _deliveries(partner) -> list[Delivery]:
    with partner_scope(partner):
        return list(Delivery.objects.order_by("pk").prefetch_related("attempt_log"))


def test_an_order_placed_reaches_the_endpoint_signed_and_shaped_like_the_api(
    endpoint, receiver, owner_partner, django_capture_on_commit_callbacks
):
    _endpoint, secret = endpoint
    customer = CustomerFactory(partner=owner_partner, country="IT")
    with (
        mock.patch("core.background.current_app.send_task") as send_task,
        django_capture_on_commit_callbacks(execute=True),
    ):
        order = order_for(customer)
    assert [call.args[0] for call in send_task.call_args_list] == ["webhooks.delivery_send"], (
        "one delivery task, enqueued once the order committed"
    )

    assert _send_all(owner_partner) == [True]

    (arrived,) = receiver.received
    body = arrived.verified_with(secret)
    assert body["type"] == "order.created"
    assert body["data"]["id"] == str(order.id)
    assert body["data"]["referenceCustomerId"] == str(customer.entra_tenant_id)
    assert body["data"]["lineItems"][0]["status"] == "active"
    assert body["data"]["total"] == "122.00"
    assert arrived.webhook_id.startswith("msg_")
    (delivery,) = _deliveries(owner_partner)
    assert delivery.status == "delivered"
    (attempt,) = delivery.attempt_log.all()
    assert (attempt.status, attempt.response_code, attempt.number) == (
        AttemptStatus.SUCCEEDED, 200, 1
    )


def test_a_wrong_secret_does_not_verify(endpoint, receiver, owner_partner):
    order_for(CustomerFactory(partner=owner_partner, country="IT"))
    _send_all(owner_partner)
    with pytest.raises(WebhookVerificationError):
        receiver.received[0].verified_with("whsec_" + "A" * 32)


def test_nothing_is_written_for_an_event_no_endpoint_subscribed_to(
    endpoint, owner_partner, outsider_partner, role_users
):
    order_for(CustomerFactory(partner=outsider_partner, country="IT"))
    assert _deliveries(outsider_partner) == [], "the other partner has no endpoint"
    purchase_customer = CustomerFactory(partner=owner_partner, country="IT")
    order = order_for(purchase_customer)
    with partner_scope(owner_partner):
        # As the admin site changes it: through save(), which renews the cached subscriptions.
        subscribed = Endpoint.objects.get()
        subscribed.event_types = [EventType.INVOICE_ISSUED]
        subscribed.save()
        purchase_cancel(partner=owner_partner, actor=role_users[Role.ADMIN_AGENT],
                        purchase_id=order.lines.get().pk, acknowledged=True)
    assert [d.event_type for d in _deliveries(owner_partner)] == [EventType.ORDER_CREATED]


def test_a_receiver_down_then_up_gets_the_same_webhook_id_after_the_backoff(
    endpoint, receiver, owner_partner
):
    order_for(CustomerFactory(partner=owner_partner, country="IT"))
    receiver.status = 503
    assert _send_all(owner_partner) == [False]
    (delivery,) = _deliveries(owner_partner)
    wait = delivery.next_attempt_at - delivery.attempt_log.get().attempted_at
    assert timedelta(seconds=47) < wait < timedelta(seconds=73), "1 minute, ±20 % jitter"
    assert _send_all(owner_partner) == [False], "not due yet: nothing is sent"
    assert len(receiver.received) == 1

    receiver.status = 200
    with time_machine.travel(delivery.next_attempt_at + timedelta(seconds=1)):
        assert _send_all(owner_partner) == [True]
    first, second = receiver.received
    assert first.webhook_id == second.webhook_id == delivery.webhook_id
    (delivery,) = _deliveries(owner_partner)
    assert [(a.number, a.response_code) for a in delivery.attempt_log.all()] == [
        (2, 200), (1, 503)
    ]


def test_the_retries_last_about_a_day_and_then_give_up(endpoint, receiver, owner_partner):
    schedule = [retry_delay(n) for n in range(1, MAX_ATTEMPTS)]
    assert timedelta(hours=20) < sum(schedule, timedelta()) < timedelta(hours=26)
    order_for(CustomerFactory(partner=owner_partner, country="IT"))
    receiver.status = 500
    for _ in range(MAX_ATTEMPTS):
        (delivery,) = _deliveries(owner_partner)
        with time_machine.travel(delivery.next_attempt_at + timedelta(seconds=1)):
            assert _send_all(owner_partner) == [False]
    (delivery,) = _deliveries(owner_partner)
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        "failed", MAX_ATTEMPTS, None
    )
    assert len(receiver.received) == MAX_ATTEMPTS
    assert len({r.webhook_id for r in receiver.received}) == 1


def test_after_a_rotation_both_secrets_verify_until_the_overlap_ends(
    endpoint, receiver, owner_partner, global_admin
):
    created, old_secret = endpoint
    with partner_scope(owner_partner):
        _endpoint, new_secret = endpoint_secret_rotate(
            partner=owner_partner, actor=global_admin, endpoint_id=created.pk
        )
    assert new_secret != old_secret and new_secret.startswith("whsec_")
    order_for(CustomerFactory(partner=owner_partner, country="IT"))
    _send_all(owner_partner)
    (during,) = receiver.received
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    during.verified_with(new_secret)
    during.verified_with(old_secret)

    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        order_for(CustomerFactory(partner=owner_partner, country="IT"))
        _send_all(owner_partner)
        after = receiver.received[-1]
        after.verified_with(new_secret)
        with pytest.raises(WebhookVerificationError):
            after.verified_with(old_secret)


def test_an_endpoint_failing_for_days_is_disabled_its_global_admins_told_and_re_enabled(
    endpoint, receiver, owner_partner, role_users, settings
):
    created, _secret = endpoint
    receiver.status = 500
    order_for(CustomerFactory(partner=owner_partner, country="IT"))
    _send_all(owner_partner)
    with partner_scope(owner_partner):
        assert Endpoint.objects.get().failing_since is not None
        days = settings.PORTAL_WEBHOOKS_DISABLE_AFTER_DAYS
        Endpoint.objects.update(failing_since=timezone.now() - timedelta(days=days))
    order_for(CustomerFactory(partner=owner_partner, country="IT"))
    _send_all(owner_partner)

    with partner_scope(owner_partner):
        disabled = Endpoint.objects.get()
        mails = list(Message.objects.filter(event_key__startswith="webhooks.endpoint_disabled"))
    assert disabled.disabled_at is not None
    assert [m.recipient for m in mails] == [role_users[Role.GLOBAL_ADMIN].email]
    assert mails[0].payload["subject"] == f"Webhook endpoint disabled: {receiver.url}"
    order_for(CustomerFactory(partner=owner_partner, country="IT"))
    assert len(_deliveries(owner_partner)) == 2, "a disabled endpoint is sent nothing new"
    received = len(receiver.received)
    assert _send_all(owner_partner) == [False, False]
    assert len(receiver.received) == received, "nor its pending deliveries"

    receiver.status = 200
    with partner_scope(owner_partner):
        endpoint_enable(partner=owner_partner, actor=role_users[Role.GLOBAL_ADMIN],
                        endpoint_id=created.pk)
    assert _send_all(owner_partner) == [True, True]
    assert {d.status for d in _deliveries(owner_partner)} == {"delivered"}


def test_placing_an_order_without_a_subscriber_costs_one_small_query(owner_partner):
    customer = CustomerFactory(partner=owner_partner, country="IT")
    with CaptureQueriesContext(connection) as queries:
        order_for(customer)
    webhook_queries = [q["sql"] for q in queries if "webhooks_" in q["sql"]]
    assert len(webhook_queries) == 1 and webhook_queries[0].startswith("SELECT")
    assert _deliveries(owner_partner) == []
