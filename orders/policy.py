"""Whether a purchase can still be cancelled, and why not: the one place every caller asks."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from .credits import ONE_DAY, Credit, purchase_credit
from .models import PurchaseStatus

WINDOW_PASSED = "window_passed"
NOT_CANCELLABLE = "not_cancellable"
SUPPORT_REQUEST_REQUIRED = "support_request_required"
ALREADY_CANCELLED = "already_cancelled"


@dataclass(frozen=True)
class Cancellation:
    allowed: bool
    allowed_until: datetime | None
    days_remaining: int | None
    reason: str
    message: str
    credit: Credit | None

    @property
    def credit_preview(self) -> Decimal | None:
        return self.credit.total if self.credit else None


def purchase_cancellation(*, purchase, at: datetime) -> Cancellation:
    """The cancellation facts of one purchase at a moment (the role check is the caller's)."""
    until = purchase.cancellable_until
    if purchase.status != PurchaseStatus.ACTIVE:
        return Cancellation(
            False, until, None, ALREADY_CANCELLED, _("This purchase is already cancelled."), None
        )
    if until is None:
        return Cancellation(
            False,
            None,
            None,
            NOT_CANCELLABLE,
            _("%(product)s cannot be cancelled or exchanged.")
            % {"product": purchase.product_title},
            None,
        )
    if at > until:
        return Cancellation(
            False,
            until,
            0,
            WINDOW_PASSED,
            _("The %(days)s-day cancellation window has passed.")
            % {"days": purchase.cancellation_window_days},
            None,
        )
    days_remaining = math.ceil((until - at) / ONE_DAY)
    return Cancellation(
        True,
        until,
        days_remaining,
        "",
        _("%(days)s days remain to cancel.") % {"days": days_remaining},
        purchase_credit(purchase=purchase, at=at),
    )
