"""Deliver a webhook: claim the row, sign, POST, log the attempt, schedule the retry.

At least once: a claim is a lease (`claim_expires_at`), so a sender that dies mid-request lets
the row go and the sweep sends it again with the same webhook-id; receivers deduplicate on it.
Runs outside a transaction so the claim is visible to every other worker before the request.
"""

from __future__ import annotations

import json
import logging
import random
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from standardwebhooks.webhooks import Webhook

from core.languages import user_language
from core.roles import Role
from outbox.services import email_queue
from partners.models import User

from .events import webhook_subscriptions_changed
from .models import Attempt, AttemptStatus, Delivery, Endpoint
from .network import Answer, webhook_post
from .services import secret_decrypt

logger = logging.getLogger(__name__)

# Retries wait 1 min, 3, 9, 27, 81 min, 4 h and then 8 h each, ±20 % so that failed deliveries
# do not all come back at once; the ninth failure, about a day after the first, gives up.
RETRY_FIRST_DELAY = timedelta(minutes=1)
RETRY_FACTOR = 3
RETRY_MAX_DELAY = timedelta(hours=8)
RETRY_JITTER = 0.2
MAX_ATTEMPTS = 9


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the given number of failed attempts, before jitter."""
    return min(RETRY_FIRST_DELAY * RETRY_FACTOR ** (attempts - 1), RETRY_MAX_DELAY)


def _claim_lease() -> timedelta:
    return timedelta(seconds=settings.PORTAL_WEBHOOKS_CLAIM_SECONDS)


def due_filter(at: datetime) -> Q:
    """Deliveries due at `at` to an enabled endpoint and held by no live sender."""
    return Q(next_attempt_at__lte=at, endpoint__disabled_at__isnull=True) & (
        Q(claim_expires_at__isnull=True) | Q(claim_expires_at__lt=at)
    )


def signatures(endpoint: Endpoint, *, webhook_id: str, at: datetime, body: bytes) -> str:
    """Sign with the current secret and, during a rotation's overlap, the previous one too."""
    secrets = [secret_decrypt(endpoint.secret_encrypted)]
    if endpoint.previous_secret_encrypted and endpoint.previous_secret_expires_at and (
        at < endpoint.previous_secret_expires_at
    ):
        secrets.append(secret_decrypt(endpoint.previous_secret_encrypted))
    return " ".join(Webhook(s).sign(msg_id=webhook_id, timestamp=at, data=body) for s in secrets)


def delivery_send(*, delivery_id: int) -> bool:
    """Make one attempt at a due delivery; False when it is not due, held by another sender,
    or the attempt failed (it is then retried later)."""
    now = timezone.now()
    claimed = Delivery.objects.filter(due_filter(now), pk=delivery_id).update(
        claim_expires_at=now + _claim_lease(), attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_id)
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    at = timezone.now()
    answer = webhook_post(
        url=delivery.endpoint.url, body=body,
        headers={
            "webhook-id": delivery.webhook_id,
            "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": signatures(
                delivery.endpoint, webhook_id=delivery.webhook_id, at=at, body=body
            ),
        },
    )
    _attempt_record(delivery, answer=answer, at=at)
    return answer.succeeded


@transaction.atomic
def _attempt_record(delivery: Delivery, *, answer: Answer, at: datetime) -> None:
    Attempt.objects.create(
        partner_id=delivery.partner_id, delivery=delivery, number=delivery.attempts,
        attempted_at=at, duration_ms=answer.duration_ms, response_code=answer.status_code,
        status=AttemptStatus.SUCCEEDED if answer.succeeded else AttemptStatus.FAILED,
        error=answer.error,
    )
    endpoint = Endpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
    if answer.succeeded:
        Delivery.objects.filter(pk=delivery.pk).update(
            delivered_at=at, next_attempt_at=None, claim_expires_at=None, abandoned_at=None
        )
        if endpoint.failing_since is not None:
            Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
        return
    if delivery.attempts >= MAX_ATTEMPTS:
        Delivery.objects.filter(pk=delivery.pk).update(
            abandoned_at=at, next_attempt_at=None, claim_expires_at=None
        )
        logger.warning("Webhook %s given up after %s attempts", delivery.webhook_id,
                       delivery.attempts)
    else:
        delay = retry_delay(delivery.attempts) * random.uniform(1 - RETRY_JITTER, 1 + RETRY_JITTER)
        Delivery.objects.filter(pk=delivery.pk).update(
            next_attempt_at=at + delay, claim_expires_at=None
        )
    _endpoint_failure_note(endpoint, at=at)


def _endpoint_failure_note(endpoint: Endpoint, *, at: datetime) -> None:
    if endpoint.failing_since is None:
        Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=at)
        return
    if endpoint.disabled_at is not None:
        return
    if at - endpoint.failing_since < timedelta(days=settings.PORTAL_WEBHOOKS_DISABLE_AFTER_DAYS):
        return
    Endpoint.objects.filter(pk=endpoint.pk).update(disabled_at=at)
    webhook_subscriptions_changed(partner_id=endpoint.partner_id)
    logger.warning("Webhook endpoint %s disabled: failing since %s", endpoint.pk,
                   endpoint.failing_since)
    _disabled_notify(endpoint, at=at)


def _disabled_notify(endpoint: Endpoint, *, at: datetime) -> None:
    admins = [u for u in User.members.filter(is_active=True) if u.has_role(Role.GLOBAL_ADMIN)]
    for person in admins:
        with translation.override(user_language(person)):
            subject = _("Webhook endpoint disabled: %(url)s") % {"url": endpoint.url}
            body = render_to_string(
                "webhooks/email/endpoint_disabled.txt",
                {"endpoint": endpoint, "person": person, "days":
                 settings.PORTAL_WEBHOOKS_DISABLE_AFTER_DAYS},
            )
        email_queue(
            partner=endpoint.partner, event_key=f"webhooks.endpoint_disabled:{endpoint.pk}:"
            f"{at.isoformat()}", recipient=person.email, subject=subject, body=body,
        )
