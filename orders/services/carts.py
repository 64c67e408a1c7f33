"""Partner Center's carts: lines kept for a customer, checked as an order would be, bought once.

A cart's checkout places its order through order_place, so every rule of buying (catalogue,
market, quantities, terms, currency) and the Idempotency-Key apply to it as to an order.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, Gone, NotFound

from ..models import Cart, CartStatus, Order
from ..quotes import LineRequest, order_quote
from .placing import order_place


def cart_line_requests(*, lines: list[dict]) -> list[LineRequest]:
    """Return a cart's lines as the order they would place, in the cart's line order."""
    return [
        LineRequest(
            offer_id=line["catalogItemId"],
            quantity=line["quantity"],
            term_duration=line.get("termDuration") or None,
        )
        for line in sorted(lines, key=lambda line: line["id"])
    ]


def _priced(*, customer, lines: list[dict], at: datetime) -> list[dict]:
    """The lines with their currency, refused (lineItems.N) where an order would refuse them."""
    ordered = sorted(lines, key=lambda line: line["id"])
    quote = order_quote(customer=customer, lines=cart_line_requests(lines=ordered), at=at)
    return [
        {**line, "currencyCode": quoted.price.currency_code, "billingCycle": "one_time"}
        for line, quoted in zip(ordered, quote.lines, strict=True)
    ]


def _expiry(at: datetime) -> datetime:
    return at + timedelta(hours=settings.CART_EXPIRY_HOURS)


@transaction.atomic
def cart_create(*, partner, actor, customer, lines: list[dict]) -> Cart:
    """Keep lines for the customer's checkout, refused as an order with them would be."""
    at = timezone.now()
    return Cart.objects.create(
        partner=partner,
        customer=customer,
        created_at=at,
        updated_at=at,
        updated_by=actor,
        expires_at=_expiry(at),
        lines=_priced(customer=customer, lines=lines, at=at),
    )


def _open_cart(*, customer, cart_id: str, at: datetime) -> Cart:
    """The customer's cart, locked, while it can still change or check out."""
    try:
        cart_uuid = uuid.UUID(str(cart_id))
    except ValueError as exc:
        raise NotFound(_("Cart not found.")) from exc
    cart = Cart.objects.select_for_update().filter(customer=customer, id=cart_uuid).first()
    if cart is None:
        raise NotFound(_("Cart not found."))
    if cart.status == CartStatus.ORDERED:
        raise Conflict(
            _("This cart has been checked out already; its order is %(order)s.")
            % {"order": cart.order_id},
            code="cart_checked_out",
        )
    if cart.is_expired(at):
        raise Gone(_("This cart has expired; create a new one."), code="cart_expired")
    return cart


@transaction.atomic
def cart_update(*, partner, actor, customer, cart_id: str, lines: list[dict]) -> Cart:
    """Replace the cart's lines, refused as an order with them would be; the expiry restarts."""
    at = timezone.now()
    cart = _open_cart(customer=customer, cart_id=cart_id, at=at)
    cart.lines = _priced(customer=customer, lines=lines, at=at)
    cart.updated_at, cart.updated_by, cart.expires_at = at, actor, _expiry(at)
    cart.save(update_fields=["lines", "updated_at", "updated_by", "expires_at"])
    return cart


@transaction.atomic
def cart_checkout(*, partner, actor, customer, cart_id: str) -> Order:
    """Place the cart's order, once; the cart then names it."""
    at = timezone.now()
    cart = _open_cart(customer=customer, cart_id=cart_id, at=at)
    order = order_place(
        partner=partner,
        actor=actor,
        customer=customer,
        lines=cart_line_requests(lines=cart.lines),
        at=at,
    )
    cart.status, cart.order, cart.updated_at, cart.updated_by = CartStatus.ORDERED, order, at, actor
    cart.save(update_fields=["status", "order", "updated_at", "updated_by"])
    return order
