"""The periodic sweep over every partner's outbox (the escape hatch is allowed here).

It delivers what the after-commit task did not: messages queued while the broker was down, and
failed attempts whose backoff has ended. A claim older than CLAIM_TIMEOUT belongs to a sender
that stopped (killed, or lost its database) without marking the message sent or failed: it may
have been delivered, so it is given up and logged, never sent a second time.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db.models import Q

from core.tenancy import partner_scope
from partners.models import Partner

from .models import Message
from .services import message_send

logger = logging.getLogger(__name__)
SWEEP_BATCH_SIZE = 200
# Far longer than a delivery takes: EMAIL_TIMEOUT bounds each SMTP step.
CLAIM_TIMEOUT = timedelta(minutes=15)


def messages_sweep(*, at: datetime, batch_size: int = SWEEP_BATCH_SIZE) -> int:
    """Deliver every waiting message that is due; return how many were sent."""
    _stale_claims_abandon(at=at)
    due = Message.objects.all_partners().filter(
        sent_at__isnull=True, abandoned_at__isnull=True, claimed_at__isnull=True, due_at__lte=at
    )
    sent = 0
    last = None
    while True:
        batch_query = due
        if last is not None:
            due_at, last_pk = last
            batch_query = due.filter(Q(due_at__gt=due_at) | Q(due_at=due_at, pk__gt=last_pk))
        batch = list(
            batch_query.order_by("due_at", "pk").values_list("pk", "partner_id", "due_at")[
                :batch_size
            ]
        )
        if not batch:
            return sent
        partners = Partner.objects.in_bulk({partner_id for _pk, partner_id, _due in batch})
        for message_id, partner_id, _due_at in batch:
            sent += _send_one(message_id=message_id, partner=partners[partner_id])
        last = (batch[-1][2], batch[-1][0])


def _send_one(*, message_id: int, partner: Partner) -> int:
    try:
        with partner_scope(partner):
            return int(message_send(message_id=message_id))
    except Exception:  # noqa: BLE001 - one message's failure must not hold up the others
        logger.exception("Outbox message %s (partner %s) not delivered", message_id, partner.pk)
        return 0


def _stale_claims_abandon(*, at: datetime) -> None:
    stale = Message.objects.all_partners().filter(
        sent_at__isnull=True, abandoned_at__isnull=True, claimed_at__lt=at - CLAIM_TIMEOUT
    )
    ids = list(stale.values_list("pk", flat=True))
    if ids:
        stale.filter(pk__in=ids).update(
            abandoned_at=at, last_error="The sender stopped without a result; not sent again."
        )
        logger.error("Outbox messages %s given up: their sender stopped mid-delivery", ids)
