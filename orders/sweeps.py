"""Periodic sweeps over every partner's orders (the escape hatch is allowed here)."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from core.tenancy import partner_scope
from partners.models import Partner

from .models import Credit, Purchase, PurchaseStatus
from .services.cancellation import purchase_cancellation_complete

logger = logging.getLogger(__name__)
RECONCILE_BATCH_SIZE = 200


def cancellations_reconcile(*, at: datetime, batch_size: int = RECONCILE_BATCH_SIZE) -> int:
    """Complete every cancellation that is due; the countdown task may have been lost.

    Each purchase completes in its own transaction. One that fails is logged and left pending,
    so the next sweep tries it again, and the sweep goes on past it: the batches follow a keyset,
    so failures at the head of the queue never hide the purchases behind them.
    """
    due = Purchase.objects.all_partners().filter(
        status=PurchaseStatus.PENDING_CANCELLATION, cancellation_complete_after__lte=at
    )
    completed = 0
    last = None
    while True:
        batch_query = due
        if last is not None:
            after, last_pk = last
            batch_query = due.filter(
                Q(cancellation_complete_after__gt=after)
                | Q(cancellation_complete_after=after, pk__gt=last_pk)
            )
        batch = list(
            batch_query.order_by("cancellation_complete_after", "pk").values_list(
                "pk", "partner_id", "cancellation_complete_after"
            )[:batch_size]
        )
        if not batch:
            return completed
        partners = Partner.objects.in_bulk({partner_id for _pk, partner_id, _at in batch})
        for purchase_id, partner_id, _due_at in batch:
            completed += _complete_one(purchase_id=purchase_id, partner=partners[partner_id], at=at)
        last = (batch[-1][2], batch[-1][0])


def _complete_one(*, purchase_id: int, partner: Partner, at: datetime) -> int:
    try:
        with partner_scope(partner), transaction.atomic():
            return int(purchase_cancellation_complete(purchase_id=purchase_id, at=at))
    except Exception:  # noqa: BLE001 - one purchase's failure must not hold up the others
        logger.exception(
            "Cancellation of purchase %s (partner %s) not completed; the next sweep retries it",
            purchase_id,
            partner.pk,
        )
        return 0


def cancellations_pending_count() -> dict[tuple[str, ...], int]:
    """Pending cancellations across partners, for the metrics scrape: due (the worker is late)
    and waiting (still inside the propagation delay)."""
    pending = Purchase.objects.all_partners().filter(status=PurchaseStatus.PENDING_CANCELLATION)
    now = timezone.now()
    due = pending.filter(cancellation_complete_after__lte=now).count()
    return {("due",): due, ("waiting",): pending.count() - due}


def cancellations_total() -> dict[tuple[str, ...], int]:
    """Cancellations ever requested and ever completed, across partners, for the metrics."""
    lines = Purchase.objects.all_partners()
    return {
        ("requested",): lines.filter(cancellation_requested_at__isnull=False).count(),
        ("completed",): lines.filter(cancelled_at__isnull=False).count(),
    }


def credits_total() -> dict[tuple[str, ...], int]:
    """Credits booked, by kind, across partners, for the metrics."""
    counts = Credit.objects.all_partners().order_by().values_list("kind").annotate(n=Count("pk"))
    return {(kind,): n for kind, n in counts}
