"""What an order will cost, line by line: the review shows it and the order service books it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Availability, Market, Term
from catalog.offer_facts import offer_facts_get, quote_market_get
from catalog.policy import product_purchasability
from core.errors import PortalError

from .pricing import LinePrice, Totals, line_price, order_totals

MAX_LINES_PER_ORDER = 50


@dataclass(frozen=True)
class LineRequest:
    offer_id: str
    quantity: int
    term_duration: str | None = None


@dataclass(frozen=True)
class QuotedLine:
    line_number: int
    availability: Availability
    term_duration: str
    price: LinePrice

    @property
    def product(self):
        return self.availability.sku.product

    @property
    def sku(self):
        return self.availability.sku


@dataclass(frozen=True)
class Quote:
    market: Market
    lines: list[QuotedLine]
    totals: Totals
    at: datetime

    @property
    def currency_code(self) -> str:
        return self.lines[0].price.currency_code

    @property
    def prices_include_tax(self) -> bool:
        return self.market.prices_include_tax


def _line_error(message: str, *, code: str, index: int) -> PortalError:
    return PortalError(message, code=code, field=f"lineItems.{index}")


def _quote_line(*, index: int, request: LineRequest, market: Market, at: datetime) -> QuotedLine:
    try:
        facts = offer_facts_get(market=market, catalog_item_id=request.offer_id)
    except PortalError as error:
        raise _line_error(error.message, code=error.code, index=index) from error
    availability = facts.availability
    sku, product = availability.sku, availability.sku.product
    verdict = product_purchasability(
        product=product, market=market, sku=sku, at=at, facts=facts.market_facts(at=at)
    )
    if not verdict.is_purchasable:
        raise _line_error(verdict.reason, code=verdict.code, index=index)
    if availability.market_id != market.pk:
        raise _line_error(
            _("%(product)s: this offer is for %(offer_market)s, the customer buys in %(market)s.")
            % {"product": product.title, "offer_market": availability.market, "market": market},
            code="invalid_catalog_item",
            index=index,
        )
    if not sku.min_quantity <= request.quantity <= sku.max_quantity:
        raise _line_error(
            _("%(product)s: the quantity must be between %(min)s and %(max)s.")
            % {"product": product.title, "min": sku.min_quantity, "max": sku.max_quantity},
            code="quantity_out_of_range",
            index=index,
        )
    if request.term_duration not in (None, sku.term):
        raise _line_error(
            _("%(product)s: this SKU's term is %(term)s.")
            % {"product": product.title, "term": Term(sku.term).label},
            code="invalid_term",
            index=index,
        )
    price = facts.price_in_force(at=at)
    if price is None:
        raise _line_error(
            _("%(product)s has no price in %(market)s.")
            % {"product": product.title, "market": market},
            code="not_priced_in_market",
            index=index,
        )
    return QuotedLine(
        line_number=index,
        availability=availability,
        term_duration=sku.term,
        price=line_price(
            unit_price=price.unit_price,
            quantity=request.quantity,
            currency_code=price.currency_code,
            tax_rate_percent=market.tax_rate_percent,
            prices_include_tax=market.prices_include_tax,
        ),
    )


def order_quote(*, customer, lines: list[LineRequest], at: datetime | None = None) -> Quote:
    """Price the requested lines for the customer's market; refuse what cannot be bought there."""
    if not lines:
        raise PortalError(
            _("Add at least one product to the order."), code="empty_order", field="lineItems"
        )
    if len(lines) > MAX_LINES_PER_ORDER:
        raise PortalError(
            _("An order holds at most %(count)s lines.") % {"count": MAX_LINES_PER_ORDER},
            code="too_many_lines",
            field="lineItems",
        )
    at = at or timezone.now()
    market = quote_market_get(country=customer.country.code)
    quoted = [
        _quote_line(index=index, request=request, market=market, at=at)
        for index, request in enumerate(lines)
    ]
    currencies = {line.price.currency_code for line in quoted}
    if len(currencies) > 1:
        raise PortalError(
            _("All lines of an order must be in one currency."),
            code="mixed_currencies",
            field="lineItems",
        )
    return Quote(market=market, lines=quoted, totals=order_totals([q.price for q in quoted]), at=at)
