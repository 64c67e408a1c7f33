"""Queue a message in the caller's transaction; deliver it at most once, after commit.

`email_queue` is called inside the transaction of the change the e-mail tells of: the row and
the change commit together or not at all. Once committed, a task delivers it at once; when the
broker was down and that task never ran, or the delivery failed, the sweep (outbox.sweeps)
delivers it later. Delivery claims the row first and must run outside a transaction, so the claim
is visible to every other worker before anything is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F, Q
from django.utils import timezone

from core.background import task_enqueue_on_commit

from .models import Channel, Message

logger = logging.getLogger(__name__)

# After a failed attempt the next waits twice as long, from a minute up to an hour; the eighth
# failure (some three hours after the first) gives up, with the error kept on the row.
RETRY_FIRST_DELAY = timedelta(minutes=1)
RETRY_MAX_DELAY = timedelta(hours=1)
MAX_ATTEMPTS = 8
ERROR_CHARS = 500

_WAITING = Q(sent_at__isnull=True, abandoned_at__isnull=True)


def email_queue(*, partner, event_key: str, recipient: str, subject: str, body: str) -> bool:
    """Queue one e-mail for the event and address, delivered after commit; False when this event
    already queued one for this address."""
    message, created = Message.objects.get_or_create(
        event_key=event_key,
        recipient=recipient.strip().lower(),
        defaults={
            "partner": partner,
            "channel": Channel.EMAIL,
            "payload": {"subject": subject, "body": body},
        },
    )
    if created:
        # Robust: the row is the guarantee; with the broker down the sweep delivers it later.
        task_enqueue_on_commit(
            "outbox.message_send", partner_id=partner.pk, message_id=message.pk, robust=True
        )
    return created


def _email_send(message: Message) -> None:
    EmailMessage(
        subject=message.payload["subject"],
        body=message.payload["body"],
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
    ).send()


# How each channel delivers; a channel added later (webhooks) brings its own.
SENDERS: dict[str, Callable[[Message], None]] = {Channel.EMAIL: _email_send}


def message_send(*, message_id: int) -> bool:
    """Deliver a waiting message once: claim it, send it, mark it sent. False when another
    worker has it, it was sent or given up, or this attempt failed (it is then retried later)."""
    now = timezone.now()
    claimed = (
        Message.objects.filter(_WAITING, pk=message_id, claimed_at__isnull=True)
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    message = Message.objects.get(pk=message_id)
    try:
        SENDERS[message.channel](message)
    except Exception as error:  # noqa: BLE001 - whatever the sender raised, nothing was sent
        _attempt_failed(message, error=error, at=timezone.now())
        return False
    # Should this write fail, the claim stays: the sweep then gives the message up rather than
    # send it a second time.
    Message.objects.filter(pk=message_id).update(sent_at=timezone.now())
    return True


def _attempt_failed(message: Message, *, error: Exception, at: datetime) -> None:
    text = f"{error.__class__.__name__}: {error}"[:ERROR_CHARS]
    if message.attempts >= MAX_ATTEMPTS:
        Message.objects.filter(pk=message.pk).update(abandoned_at=at, last_error=text)
        logger.error(
            "Outbox message %s (%s) given up after %s attempts: %s",
            message.pk, message.event_key, message.attempts, text,
        )
        return
    delay = min(RETRY_FIRST_DELAY * 2 ** (message.attempts - 1), RETRY_MAX_DELAY)
    Message.objects.filter(pk=message.pk).update(
        claimed_at=None, due_at=at + delay, last_error=text
    )
    logger.warning(
        "Outbox message %s (%s) not delivered, attempt %s; next in %s: %s",
        message.pk, message.event_key, message.attempts, delay, text,
    )
