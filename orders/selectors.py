"""Reads on orders and purchases, scoped to the current partner and one of its customers."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from catalog.models import ProductFamily
from core.errors import NotFound

from .models import Cart, Order, Purchase, PurchaseStatus
from .policy import (
    Cancellation,
    customer_credits,
    purchase_cancellation,
    reservation_refunds_usd,
)
from .refundable import credit_ledger_in_memory


def order_list(*, customer, with_lines: bool = True) -> QuerySet[Order]:
    """Return the customer's orders, newest first, with their lines (two queries a page) unless
    the caller reads them with order_lines."""
    orders = Order.objects.filter(customer=customer).order_by("-placed_at", "-id")
    if not with_lines:
        return orders
    return orders.prefetch_related(
        Prefetch("lines", queryset=Purchase.objects.order_by("line_number"))
    )


def order_lines(*, orders: list[Order]) -> dict[uuid.UUID, list[Purchase]]:
    """Return the lines of these orders by order id, in line order, in one query.

    Cheaper than prefetching them for a page of orders: Django's prefetch builds a queryset for
    each order, which cost a page of 25 more than the query itself.
    """
    by_id = {order.pk: order for order in orders}
    lines: dict[uuid.UUID, list[Purchase]] = {order_id: [] for order_id in by_id}
    for line in Purchase.objects.filter(order_id__in=list(by_id)).order_by("line_number"):
        line.order = by_id[line.order_id]  # as a prefetch would, so line.order reads nothing
        lines[line.order_id].append(line)
    return lines


def lines_of(orders: Iterable[Order]) -> dict[uuid.UUID, list[Purchase]]:
    """Return the orders' lines by order id, as order.lines gives them (order_list prefetches
    them)."""
    return {order.pk: list(order.lines.all()) for order in orders}


def order_get(*, customer, order_id: uuid.UUID | str) -> Order:
    """Return one of the customer's orders with its lines; NotFound for any other id."""
    try:
        order_uuid = order_id if isinstance(order_id, uuid.UUID) else uuid.UUID(str(order_id))
    except ValueError as exc:
        raise NotFound(_("Order not found.")) from exc
    order = order_list(customer=customer).filter(id=order_uuid).first()
    if order is None:
        raise NotFound(_("Order not found."))
    return order


def cart_get(*, customer, cart_id: str) -> Cart:
    """Return one of the customer's carts; NotFound for any other id."""
    try:
        cart_uuid = uuid.UUID(str(cart_id))
    except ValueError as exc:
        raise NotFound(_("Cart not found.")) from exc
    cart = Cart.objects.filter(customer=customer, id=cart_uuid).first()
    if cart is None:
        raise NotFound(_("Cart not found."))
    return cart


def purchase_list(*, customer) -> QuerySet[Purchase]:
    """Return every software purchase of the customer, cancelled ones included, newest first."""
    return (
        Purchase.objects.filter(customer=customer)
        .select_related("order")
        .order_by("-purchased_at", "-order_id", "line_number")
    )


def purchase_get(*, customer=None, purchase_id: int, for_update: bool = False) -> Purchase:
    """Return the partner's purchase (of `customer`, when given); NotFound for any other id.

    `for_update` takes the purchase's row lock (FOR NO KEY UPDATE: rows that merely reference it
    can still be inserted), with its customer and order read in the same query.
    """
    purchases = Purchase.objects.select_related("customer", "order", "product")
    if customer is not None:
        purchases = purchases.filter(customer=customer)
    if for_update:
        purchases = purchases.select_for_update(of=("self",), no_key=True)
    purchase = purchases.filter(pk=purchase_id).first()
    if purchase is None:
        raise NotFound(_("Purchase not found."))
    return purchase


def _in_window(purchases: list[Purchase], *, at: datetime) -> list[Purchase]:
    # Only these are judged on credits and refunds; the others are told no without them.
    return [
        p for p in purchases
        if p.status == PurchaseStatus.ACTIVE
        and p.cancellable_until is not None
        and at <= p.cancellable_until
    ]


def _reservation_in(in_window: list[Purchase]) -> bool:
    # Only a reservation asks for the refunds; else purchase_cancellation's False, "not loaded".
    return any(p.family == ProductFamily.AZURE_RESERVATION for p in in_window)


def cancellation_facts(
    *,
    customer,
    orders: Iterable[Order],
    at: datetime,
    lines_by_order: dict[uuid.UUID, list[Purchase]] | None = None,
) -> dict[int, Cancellation]:
    """Return each line's cancellation facts (allowed, until when, why not, the credit), by id.

    `lines_by_order`: the orders' lines (order_lines); left out, as order.lines gives them. The
    reservation refunds of the customer and the credits of the orders are read once, so a page
    of orders costs the same few queries as one, and only when a line still in its window (a
    reservation, for the refunds) needs them.
    """
    orders = list(orders)
    if lines_by_order is None:
        lines_by_order = lines_of(orders)
    lines = [line for order in orders for line in lines_by_order[order.pk]]
    in_window = _in_window(lines, at=at)
    refunds = _reservation_in(in_window)
    ledger, refunded_usd = None, False
    if in_window:
        ledger = credit_ledger_in_memory(orders=orders)
        if ledger is None:
            ledger, refunded_usd = customer_credits(
                customer=customer, at=at, refunds=refunds,
                order_id=orders[0].pk if len(orders) == 1 else None,
            )
        elif refunds:
            refunded_usd = reservation_refunds_usd(customer=customer, at=at)
    return {
        line.pk: purchase_cancellation(
            purchase=line, at=at, refunded_usd=refunded_usd, ledger=ledger
        )
        for line in lines
    }


def purchase_cancellation_facts(
    *, customer, purchases: Iterable[Purchase], at: datetime
) -> dict[int, Cancellation]:
    """Return the cancellation facts of some of the customer's purchases, by id.

    The reservation refunds and the credits of the customer's orders are read once, and only
    when a purchase still in its window (a reservation, for the refunds) needs them.
    """
    purchases = list(purchases)
    in_window = _in_window(purchases, at=at)
    ledger, refunded_usd = None, False
    if in_window:
        ledger, refunded_usd = customer_credits(
            customer=customer, at=at, refunds=_reservation_in(in_window)
        )
    return {
        p.pk: purchase_cancellation(purchase=p, at=at, refunded_usd=refunded_usd, ledger=ledger)
        for p in purchases
    }


@dataclass(frozen=True)
class CancellationDialog:
    """What the cancel dialog shows: the purchase clicked, the orders of the same product to
    choose from, the one chosen and its cancellation facts."""

    clicked: Purchase
    choices: list[Purchase]
    chosen: Purchase
    facts: Cancellation


def cancellation_dialog_get(
    *, customer, purchase_id: int, chosen_id: str | None, at: datetime
) -> CancellationDialog:
    """Return the cancel dialog of the purchase clicked; `chosen_id` picks another order of it."""
    clicked = purchase_get(customer=customer, purchase_id=purchase_id)
    choices = list(
        Purchase.objects.filter(customer=customer, product_id=clicked.product_id)
        .select_related("order")
        .order_by("-purchased_at")
    )
    chosen = next((p for p in choices if str(p.pk) == (chosen_id or "")), clicked)
    return CancellationDialog(
        clicked=clicked,
        choices=choices,
        chosen=chosen,
        facts=purchase_cancellation(purchase=chosen, at=at),
    )


def purchases_closing_between(*, start: datetime, end: datetime) -> QuerySet[Purchase]:
    """Return the active cancellable purchases whose window ends in (start, end], soonest first.

    With their customer and order.
    """
    open_ = Purchase.objects.filter(
        status=PurchaseStatus.ACTIVE, is_cancellable=True, cancellation_window_days__isnull=False
    )
    # A window is a whole number of days, and few lengths exist: one range of purchase times
    # per length keeps the filter a plain comparison, the same on PostgreSQL and SQLite.
    windows = open_.order_by().values_list("cancellation_window_days", flat=True).distinct()
    closing = Q(pk__in=[])
    for days in windows:
        window = timedelta(days=days)
        closing |= Q(
            cancellation_window_days=days,
            purchased_at__gt=start - window,
            purchased_at__lte=end - window,
        )
    return (
        open_.filter(closing)
        .select_related("customer", "order")
        .order_by("purchased_at", "pk")
    )
