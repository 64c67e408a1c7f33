"""The one way any feature records an activity event."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from core.request_context import current_request_context

from .models import Event, OperationType, ResourceType


def event_record(
    *,
    partner,
    actor,
    operation: OperationType,
    resource_type: ResourceType,
    customer=None,
    object_id: str = "",
    details: dict[str, Any] | None = None,
    actor_email: str | None = None,
    operation_status: str = "succeeded",
) -> Event:
    """Append an event inside the caller's transaction, with the request's origin attached."""
    context = current_request_context()
    if actor_email is None:
        actor_email = getattr(actor, "email", "")
    event = Event(
        partner=partner,
        actor=actor if actor is not None and actor.pk else None,
        # Lower-cased so that the log's user filter is one exact, indexable comparison.
        actor_email=actor_email.lower(),
        ip_address=context.ip_address,
        user_agent=context.user_agent[:512],
        correlation_id=context.correlation_id,
        request_id=context.request_id,
        operation_type=operation,
        operation_status=operation_status,
        resource_type=resource_type,
        customer=customer,
        object_id=str(object_id),
        details=details or {},
    )
    event.save(force_insert=True)
    return event


@transaction.atomic
def activity_log_export_record(*, partner, actor, filters: dict[str, str]) -> Event:
    """Record that the user exported the activity log, with the filters they exported."""
    return event_record(
        partner=partner, actor=actor, operation=OperationType.EXPORT_ACTIVITY_LOG,
        resource_type=ResourceType.ACTIVITY_LOG, details={"filters": filters},
    )
