"""Endpoints: register, rotate the secret, re-enable, delete; and redeliver an event.

A secret is `whsec_` + base64 of 24 random bytes (the Standard Webhooks format), stored
encrypted and returned only by the call that made it.
"""

from __future__ import annotations

import base64
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activity.models import OperationType, ResourceType
from activity.services import event_record
from core.background import task_enqueue_on_commit
from core.crypto import purpose_cipher
from core.errors import Conflict, NotFound, PortalError

from .models import Delivery, Endpoint, EventType
from .network import target_resolve

_PURPOSE = b"csp-portal webhook secrets"
SECRET_BYTES = 24


def secret_encrypt(secret: str) -> str:
    """Encrypt a signing secret for storage."""
    return purpose_cipher(_PURPOSE).encrypt(secret.encode()).decode()


def secret_decrypt(token: str) -> str:
    """Decrypt a stored signing secret."""
    return purpose_cipher(_PURPOSE).decrypt(token.encode()).decode()


def _secret_new() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _event_types_checked(event_types: list[str]) -> list[str]:
    unknown = sorted(set(event_types) - set(EventType.values))
    if unknown or not event_types:
        raise PortalError(
            _("Choose one or more of these event types: %(types)s.")
            % {"types": ", ".join(EventType.values)},
            code="invalid_event_types", field="eventTypes",
        )
    return [t for t in EventType.values if t in event_types]


def _record(*, partner, actor, operation: OperationType, endpoint: Endpoint) -> None:
    event_record(
        partner=partner, actor=actor, operation=operation,
        resource_type=ResourceType.WEBHOOK_ENDPOINT, object_id=str(endpoint.pk),
        details={"url": endpoint.url, "eventTypes": endpoint.event_types},
    )


def _locked(endpoint_id: int) -> Endpoint:
    endpoint = Endpoint.objects.select_for_update().filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound(_("There is no such webhook endpoint."))
    return endpoint


@transaction.atomic
def endpoint_create(
    *, partner, actor, url: str, event_types: list[str], description: str = ""
) -> tuple[Endpoint, str]:
    """Register an endpoint; return it with its secret, which is never shown again."""
    target_resolve(url)
    secret = _secret_new()
    endpoint = Endpoint.objects.create(
        partner=partner, url=url.strip(), description=description.strip(),
        event_types=_event_types_checked(event_types), secret_encrypted=secret_encrypt(secret),
        created_by=actor,
    )
    _record(partner=partner, actor=actor, operation=OperationType.CREATE_WEBHOOK_ENDPOINT,
            endpoint=endpoint)
    return endpoint, secret


@transaction.atomic
def endpoint_secret_rotate(*, partner, actor, endpoint_id: int) -> tuple[Endpoint, str]:
    """Give the endpoint a new secret; the old one still signs for the overlap period."""
    endpoint = _locked(endpoint_id)
    secret = _secret_new()
    endpoint.previous_secret_encrypted = endpoint.secret_encrypted
    endpoint.previous_secret_expires_at = timezone.now() + timedelta(
        hours=settings.PORTAL_WEBHOOKS_SECRET_OVERLAP_HOURS
    )
    endpoint.secret_encrypted = secret_encrypt(secret)
    endpoint.save(update_fields=[
        "secret_encrypted", "previous_secret_encrypted", "previous_secret_expires_at"
    ])
    _record(partner=partner, actor=actor, operation=OperationType.ROTATE_WEBHOOK_SECRET,
            endpoint=endpoint)
    return endpoint, secret


@transaction.atomic
def endpoint_enable(*, partner, actor, endpoint_id: int) -> Endpoint:
    """Re-enable a disabled endpoint; what it still owes is sent at once."""
    endpoint = _locked(endpoint_id)
    if endpoint.disabled_at is None:
        return endpoint
    now = timezone.now()
    endpoint.disabled_at = None
    endpoint.failing_since = None
    endpoint.save(update_fields=["disabled_at", "failing_since"])
    Delivery.objects.filter(endpoint=endpoint, next_attempt_at__isnull=False).update(
        next_attempt_at=now
    )
    _record(partner=partner, actor=actor, operation=OperationType.ENABLE_WEBHOOK_ENDPOINT,
            endpoint=endpoint)
    task_enqueue_on_commit("webhooks.deliveries_sweep", robust=True)
    return endpoint


@transaction.atomic
def endpoint_delete(*, partner, actor, endpoint_id: int) -> None:
    """Delete the endpoint with its delivery log; nothing more is sent to it."""
    endpoint = _locked(endpoint_id)
    _record(partner=partner, actor=actor, operation=OperationType.DELETE_WEBHOOK_ENDPOINT,
            endpoint=endpoint)
    endpoint.delete()


@transaction.atomic
def delivery_redeliver(*, partner, endpoint_id: int, delivery_id: int) -> Delivery:
    """Send an event to its endpoint again, with the same webhook-id."""
    endpoint = _locked(endpoint_id)
    delivery = Delivery.objects.select_for_update().filter(
        pk=delivery_id, endpoint=endpoint
    ).first()
    if delivery is None:
        raise NotFound(_("There is no such delivery."))
    if not endpoint.is_enabled:
        raise Conflict(
            _("The endpoint is disabled: enable it before redelivering."), code="endpoint_disabled"
        )
    delivery.next_attempt_at = timezone.now()
    delivery.abandoned_at = None
    delivery.save(update_fields=["next_attempt_at", "abandoned_at"])
    task_enqueue_on_commit(
        "webhooks.delivery_send", partner_id=partner.pk, delivery_id=delivery.pk, robust=True
    )
    return delivery
