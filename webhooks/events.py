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

from .models import Delivery, Endpoint, EventType

REPRESENTATIONS: dict[str, Callable[[Any], dict]] = {}


def representation_register(event_type: EventType, represent: Callable[[Any], dict]) -> None:
    """Name the function that shapes an event's object as the API does."""
    REPRESENTATIONS[event_type] = represent


def webhook_id_new() -> str:
    """Return a fresh Standard Webhooks message id."""
    return "msg_" + secrets.token_hex(16)


def webhook_event_emit(*, partner, event_type: EventType, subject: Any) -> int:
    """Queue the event for each of the partner's active endpoints subscribed to it; return how
    many deliveries were queued."""
    # One indexed read when nobody listens: most changes have no subscriber.
    endpoints = [
        endpoint
        for endpoint in Endpoint.objects.filter(partner=partner, disabled_at__isnull=True).only(
            "pk", "event_types"
        )
        if event_type in endpoint.event_types
    ]
    if not endpoints:
        return 0
    at = timezone.now()
    payload = {
        "type": str(event_type),
        "timestamp": at.isoformat().replace("+00:00", "Z"),
        "data": REPRESENTATIONS[event_type](subject),
    }
    for endpoint in endpoints:
        delivery = Delivery.objects.create(
            partner=partner, endpoint=endpoint, webhook_id=webhook_id_new(),
            event_type=event_type, payload=payload, created_at=at, next_attempt_at=at,
        )
        # Robust: the row is the guarantee; with the broker down the sweep delivers it.
        task_enqueue_on_commit(
            "webhooks.delivery_send", partner_id=partner.pk, delivery_id=delivery.pk, robust=True
        )
    return len(endpoints)
