"""Orders for tests are placed through the real order service, as partners place them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from catalog.models import Billing, ProductFamily, Term
from catalog.tests.factories import priced_sku
from core.tenancy import partner_scope
from orders.quotes import LineRequest
from orders.services.placing import order_place


def order_for(
    customer,
    *,
    actor=None,
    unit_price: Decimal = Decimal("100"),
    quantity: int = 1,
    family: str = ProductFamily.PERPETUAL_SOFTWARE,
    term: str = Term.NONE,
    billing: str = Billing.ONE_TIME,
    at: datetime | None = None,
    sku=None,
    **product,
):
    """Place an order of one line for the customer, in its market; return the order."""
    if sku is None:
        sku = priced_sku(
            countries=(customer.country.code,), unit_price=unit_price, family=family, **product
        )
        if term or billing != Billing.ONE_TIME:
            sku.term, sku.billing = term, billing
            sku.save(update_fields=["term", "billing"])
    availability = sku.availabilities.get(market_id=customer.country.code)
    with partner_scope(customer.partner):
        return order_place(
            partner=customer.partner,
            actor=actor,
            customer=customer,
            lines=[LineRequest(offer_id=availability.catalog_item_id, quantity=quantity)],
            at=at,
        )
