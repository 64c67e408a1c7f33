"""How much of an order or a purchase can still come back: the one place that says it.

The rule (SPEC §9, "Money"), tax included and in the order's currency:
- a purchase's credits (its cancellation credit and the refunds that name it) never exceed what
  was charged for it, the purchase's total;
- an order's credits (its purchases' credits and the refunds that name only the order) never
  exceed the order's total. So an order-level refund counts against the order as a whole, and a
  purchase can get back at most what its order has left as well as what it has left itself.

What a cancellation gives back before that cap (purchase_credit): all of a one-time purchase; for
a subscription, the unused days of its term × its daily price (a day counts as used once begun).

A pending cancellation holds the credit it previewed (Purchase.cancellation_credit_total) until
completion books it, so a refund approved meanwhile cannot take it away. The filing form, the API,
the approval, the cancellation dialog and the cancellation itself all ask here; the writers ask
after `order_lock`, so two of them deciding on one order see each other. A database trigger
(migration 0005) refuses a credit row that breaks the rule whatever wrote it.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from catalog.models import Billing
from core.errors import Conflict, NotFound
from core.money import format_money, round_money, tax_on, tax_split

from .credit_sql import CreditRows, credit_rows
from .models import Order, Purchase, PurchaseStatus

ZERO = Decimal(0)
# The stable code of "more than can still come back", in problem+json and on PortalError.
REFUND_EXCEEDS_REFUNDABLE = "refund_exceeds_refundable"


class NotRefundable(Conflict):
    """More was asked back than what remains of the charge; nothing was booked."""

    code = REFUND_EXCEEDS_REFUNDABLE


@dataclass(frozen=True)
class Refundable:
    """What was charged for an order or a purchase and how much of it can still come back."""

    currency_code: str
    charged: Decimal
    remaining: Decimal

    @property
    def credited(self) -> Decimal:
        """What no longer counts as refundable: credits booked, or held by a pending cancellation
        (for a purchase, its order's too when those leave less than the purchase's own)."""
        return self.charged - self.remaining

    def refusal(self) -> NotRefundable:
        """The error for asking more than remains, saying how much does, for people and the API."""
        language = get_language() or "en"
        if self.remaining == self.charged:
            message = _("That is more than was charged for it: %(charged)s.")
        elif self.remaining <= ZERO:
            message = _(
                "Nothing more can be refunded: what was charged for it, %(charged)s, has been "
                "credited in full."
            )
        else:
            message = _(
                "At most %(remaining)s can still be refunded: %(charged)s was charged for it and "
                "%(credited)s has been credited or is due from a cancellation."
            )
        return NotRefundable(
            message
            % {
                "remaining": format_money(self.remaining, self.currency_code, language),
                "charged": format_money(self.charged, self.currency_code, language),
                "credited": format_money(self.credited, self.currency_code, language),
            }
        )


@dataclass
class CreditLedger:
    """Credits booked or held, per order and per purchase, as one read of the database found them.

    Callers judging many purchases (an order page, an orders list) load it once for the customer.
    """

    by_order: dict[uuid.UUID, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    by_purchase: dict[int, Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    def _add(self, order_id: uuid.UUID, purchase_id: int | None, amount: Decimal) -> None:
        self.by_order[order_id] += amount
        if purchase_id is not None:
            self.by_purchase[purchase_id] += amount

    def refundable(
        self, *, order: Order, purchase: Purchase | None = None, release_hold: bool = False
    ) -> Refundable:
        """What can still come back for the order, or for one of its purchases.

        `release_hold`: count the purchase's pending cancellation credit as free, for the
        completion that is about to book it.
        """
        held = ZERO
        if (
            release_hold
            and purchase is not None
            and purchase.status == PurchaseStatus.PENDING_CANCELLATION
        ):
            held = purchase.cancellation_credit_total or ZERO
        left = order.total - self.by_order.get(order.pk, ZERO) + held
        charged = order.total
        if purchase is not None:
            charged = purchase.total
            left = min(left, purchase.total - self.by_purchase.get(purchase.pk, ZERO) + held)
        return Refundable(
            currency_code=order.currency_code, charged=charged, remaining=max(left, ZERO)
        )


def credit_ledger(*, customer=None, order_id: uuid.UUID | None = None) -> CreditLedger:
    """The credits booked and held for one customer's orders, or for one order (one query)."""
    rows = credit_rows(customer_id=customer.pk if order_id is None else None, order_id=order_id)
    return ledger_of(rows)


def ledger_of(rows: CreditRows) -> CreditLedger:
    ledger = CreditLedger()
    for order, purchase, total in rows.ledger:
        ledger._add(order, purchase, total)
    return ledger


def credit_ledger_in_memory(*, orders: list[Order]) -> CreditLedger | None:
    """Return the ledger of orders whose credits and lines are in memory, else None."""
    # A new order carries its (no) credits so: answering its placement reads none back.
    cache_name = Order.credits.rel.cache_name
    if not all(cache_name in getattr(order, "_prefetched_objects_cache", {}) for order in orders):
        return None
    ledger = CreditLedger()
    for order in orders:
        for credit in order.credits.all():
            ledger._add(order.pk, credit.purchase_id, credit.total)
        for line in order.lines.all():
            if (
                line.status == PurchaseStatus.PENDING_CANCELLATION
                and line.cancellation_credit_total is not None
            ):
                ledger._add(order.pk, line.pk, line.cancellation_credit_total)
    return ledger


def refundable_get(*, order: Order, purchase: Purchase | None = None) -> Refundable:
    """What can still come back for the order, or for one of its purchases, right now."""
    return credit_ledger(order_id=order.pk).refundable(order=order, purchase=purchase)


def order_lock(*, order_id: uuid.UUID) -> Order:
    """Lock the order row: whoever books or holds a credit for it decides after the others.

    FOR NO KEY UPDATE, as orders.services.cancellation explains: rows that merely reference the
    order (a support request, a credit's foreign key check) are not held up by it.
    """
    order = Order.objects.select_for_update(no_key=True).filter(pk=order_id).first()
    if order is None:
        raise NotFound(_("Order not found."))
    return order


ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class CancellationCredit:
    """What cancelling a purchase gives back, before what remains refundable caps it."""

    currency_code: str
    extended_amount: Decimal
    tax_amount: Decimal
    total: Decimal
    unused_days: int | None
    term_days: int | None


def _days_started(elapsed: timedelta) -> int:
    """A day of the term counts as used as soon as it has begun."""
    return max(0, math.ceil(elapsed / ONE_DAY))


def credit_capped(
    credit: CancellationCredit, *, purchase, limit: Decimal
) -> CancellationCredit:
    """Return the credit, or a smaller one of `limit` (tax included) with its tax split again."""
    if credit.total <= limit:
        return credit
    amount, tax = tax_split(
        limit,
        currency_code=credit.currency_code,
        tax_rate_percent=purchase.tax_rate_percent,
        prices_include_tax=purchase.prices_include_tax,
    )
    return CancellationCredit(
        currency_code=credit.currency_code,
        extended_amount=amount,
        tax_amount=tax,
        total=round_money(limit, credit.currency_code),
        unused_days=credit.unused_days,
        term_days=credit.term_days,
    )


def purchase_credit(*, purchase, at: datetime) -> CancellationCredit:
    """Return what cancelling the purchase at `at` gives back: all of a one-time purchase, the
    unused days of a subscription's term × its daily price, never more than was charged."""
    currency = purchase.currency_code
    unused_days = term_days = None
    extended = purchase.extended_price
    if purchase.billing == Billing.SUBSCRIPTION and purchase.term_start_at and purchase.term_end_at:
        term_days = round((purchase.term_end_at - purchase.term_start_at) / ONE_DAY)
        unused_days = max(0, term_days - _days_started(at - purchase.term_start_at))
        extended = round_money(purchase.extended_price * unused_days / term_days, currency)
    extended = min(extended, purchase.extended_price)
    tax, total = tax_on(
        extended,
        tax_rate_percent=purchase.tax_rate_percent,
        prices_include_tax=purchase.prices_include_tax,
        currency_code=currency,
    )
    return CancellationCredit(
        currency_code=currency,
        extended_amount=extended,
        tax_amount=min(tax, purchase.tax_amount),
        total=min(total, purchase.total),
        unused_days=unused_days,
        term_days=term_days,
    )
