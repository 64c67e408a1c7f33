"""Periodic sweeps over every partner's orders (the escape hatch is allowed here)."""

from __future__ import annotations

from datetime import datetime

from csp_portal.tenancy import partner_scope
from partners.models import Partner

from .cancellation import purchase_cancellation_complete
from .models import OrderLine, PurchaseStatus

RECONCILE_BATCH_SIZE = 200


def cancellations_reconcile(*, at: datetime, batch_size: int = RECONCILE_BATCH_SIZE) -> int:
    """Complete every cancellation that is due; the countdown task may have been lost."""
    due = list(
        OrderLine.objects.all_partners()
        .filter(status=PurchaseStatus.PENDING_CANCELLATION, cancellation_complete_after__lte=at)
        .order_by("cancellation_complete_after")
        .values_list("pk", "partner_id")[:batch_size]
    )
    partners = Partner.objects.in_bulk({partner_id for _pk, partner_id in due})
    completed = 0
    for purchase_id, partner_id in due:
        with partner_scope(partners[partner_id]):
            completed += purchase_cancellation_complete(purchase_id=purchase_id, at=at)
    return completed
