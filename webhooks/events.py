"""Write webhook deliveries in the transaction of the change they tell of.

The services that make a change call `webhook_event_emit` inside their transaction: one Delivery
row per active endpoint subscribed to the event, sent after commit. The data is the API's own
representation of the object, registered by the app that owns it (`representation_register`
in its AppConfig.ready), since this app sits below the apps whose objects it carries.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from core.background import task_enqueue_on_commit
from core.cached_rows import cached_row_get, versions_renew_now_and_on_commit

from .models import Delivery, Endpoint, EventType

REPRESENTATIONS: dict[str, Callable[[Any], dict]] = {}


def representation_register(event_type: EventType, represent: Callable[[Any], dict]) -> None:
    """Name the function that shapes an event's object as the API does."""
    REPRESENTATIONS[event_type] = represent


def webhook_id_new() -> str:
    """Return a fresh Standard Webhooks message id."""
    return "msg_" + secrets.token_hex(16)


def _subscriptions_copy_key(partner_id) -> str:
    return f"portal:webhook-subscriptions:{partner_id}"


def _subscriptions_version_key(partner_id) -> str:
    return f"portal:webhook-subscriptions:version:{partner_id}"


def webhook_subscriptions_changed(*, partner_id) -> None:
    """Renew the cached list of the partner's active endpoints: every write that enables,
    disables, subscribes or removes one calls it (the receivers in webhooks.signals, and the
    delivery's UPDATE that disables a failing endpoint)."""
    versions_renew_now_and_on_commit([_subscriptions_version_key(partner_id)])


def _subscriptions(partner) -> list[tuple[int, list[str]]]:
    # Most changes have no subscriber, and an order placement asked the database each time.
    return cached_row_get(
        copy_key=_subscriptions_copy_key(partner.pk),
        version_key=_subscriptions_version_key(partner.pk),
        load=lambda: list(
            Endpoint.objects.filter(partner=partner, disabled_at__isnull=True)
            .order_by("pk")
            .values_list("pk", "event_types")
        ),
    )[1]


def webhook_event_emit(*, partner, event_type: EventType, subject: Any) -> int:
    """Queue the event for each of the partner's active endpoints subscribed to it; return how
    many deliveries were queued."""
    endpoint_ids = [
        endpoint_id
        for endpoint_id, event_types in _subscriptions(partner)
        if event_type in event_types
    ]
    if not endpoint_ids:
        return 0
    at = timezone.now()
    payload = {
        "type": str(event_type),
        "timestamp": at.isoformat().replace("+00:00", "Z"),
        "data": REPRESENTATIONS[event_type](subject),
    }
    for endpoint_id in endpoint_ids:
        delivery = Delivery.objects.create(
            partner=partner, endpoint_id=endpoint_id, webhook_id=webhook_id_new(),
            event_type=event_type, payload=payload, created_at=at, next_attempt_at=at,
        )
        # Robust: the row is the guarantee; with the broker down the sweep delivers it.
        task_enqueue_on_commit(
            "webhooks.delivery_send", partner_id=partner.pk, delivery_id=delivery.pk, robust=True
        )
    return len(endpoint_ids)
