"""Whether a purchase can still be cancelled, and why not: the one place every caller asks.

The page, the dialog, the API and the cancellation service all read `purchase_cancellation`;
the role (only an Admin agent cancels) is checked at the edge, from the permission table. The
credit it previews is capped by what remains refundable of the purchase and its order
(orders.refundable), so a purchase refunded in part gets back only the rest when cancelled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from catalog.models import ProductFamily

from .credit_sql import CreditRows, credit_rows
from .models import PurchaseStatus
from .refundable import (
    ONE_DAY,
    CancellationCredit,
    CreditLedger,
    credit_capped,
    credit_ledger,
    ledger_of,
    purchase_credit,
)

WINDOW_PASSED = "window_passed"
NOT_CANCELLABLE = "not_cancellable"
SUPPORT_REQUEST_REQUIRED = "support_request_required"
ALREADY_CANCELLED = "already_cancelled"
# The API's error codes for the same refusals (API.md).
ERROR_CODES = {
    WINDOW_PASSED: "cancellation_window_passed",
    NOT_CANCELLABLE: "not_cancellable",
    SUPPORT_REQUEST_REQUIRED: "support_request_required",
    ALREADY_CANCELLED: "already_cancelled",
}
CAP_PERIOD = timedelta(days=365)


@dataclass(frozen=True)
class Cancellation:
    allowed: bool
    allowed_until: datetime | None
    days_remaining: int | None
    reason: str
    message: str
    credit: CancellationCredit | None

    @property
    def credit_preview(self) -> Decimal | None:
        return self.credit.total if self.credit else None


def to_usd(amount: Decimal, currency_code: str) -> Decimal | None:
    rate = settings.USD_PER_CURRENCY_UNIT.get(currency_code)
    return None if rate is None else amount * rate


def reservation_refunds_usd(*, customer, at: datetime) -> Decimal | None:
    """Azure reservation credits of the customer in the rolling 12 months, booked or held by a
    pending cancellation, in US dollars; None when one of them is in a currency without a rate.

    A cancellation reads this after locking the customer row (orders.services.cancellation), so
    of two cancellations at once the second counts the first's pending credit.
    """
    return refunds_usd(
        credit_rows(customer_id=customer.pk, ledger=False, refunds_since=at - CAP_PERIOD)
    )


def refunds_usd(rows: CreditRows) -> Decimal | None:
    total = Decimal(0)
    for amount, currency in rows.refunds:
        usd = to_usd(amount, currency)
        if usd is None:
            return None
        total += usd
    return total


def customer_credits(
    *, customer, at: datetime, refunds: bool, order_id=None
) -> tuple[CreditLedger, Decimal | None | bool]:
    """The ledger of the customer's orders (of one, with `order_id`) and, when `refunds`, its
    reservation refunds in US dollars (reservation_refunds_usd; else False, "not loaded"), read
    in one statement."""
    rows = credit_rows(
        customer_id=customer.pk,
        order_id=order_id,
        refunds_since=at - CAP_PERIOD if refunds else None,
    )
    return ledger_of(rows), refunds_usd(rows) if refunds else False


def purchase_cancellation(
    *,
    purchase,
    at: datetime,
    refunded_usd: Decimal | None | bool = False,
    ledger: CreditLedger | None = None,
) -> Cancellation:
    """The cancellation facts of one purchase at a moment.

    `refunded_usd` is the customer's reservation refunds so far (see reservation_refunds_usd)
    and `ledger` the credits of its orders (orders.refundable.credit_ledger); callers judging
    many purchases of one customer load both once. Left out, each is loaded when needed.
    """
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
    if ledger is None:
        ledger = credit_ledger(order_id=purchase.order_id)
    credit = credit_capped(
        purchase_credit(purchase=purchase, at=at),
        purchase=purchase,
        limit=ledger.refundable(order=purchase.order, purchase=purchase).remaining,
    )
    if purchase.family == ProductFamily.AZURE_RESERVATION:
        if refunded_usd is False:
            refunded_usd = reservation_refunds_usd(customer=purchase.customer, at=at)
        this_usd = to_usd(credit.total, credit.currency_code)
        if (
            refunded_usd is None
            or this_usd is None
            or (refunded_usd + this_usd > settings.RESERVATION_REFUND_CAP_USD)
        ):
            return Cancellation(
                False,
                until,
                days_remaining,
                SUPPORT_REQUEST_REQUIRED,
                _(
                    "Azure reservation refunds for this customer would pass USD %(cap)s in 12 "
                    "months: file a customer support request to cancel it."
                )
                % {"cap": f"{settings.RESERVATION_REFUND_CAP_USD:,.0f}"},
                credit,
            )
    return Cancellation(
        True,
        until,
        days_remaining,
        "",
        _("%(days)s days remain to cancel.") % {"days": days_remaining},
        credit,
    )
