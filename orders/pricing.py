"""Line prices and tax, rounded per line to the currency's minor unit (tax: core.money.tax_on).

Order totals are sums of rounded lines, so they reconcile.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core.money import round_money, tax_on


@dataclass(frozen=True)
class LinePrice:
    currency_code: str
    prices_include_tax: bool
    tax_rate_percent: Decimal
    unit_price: Decimal
    quantity: int
    extended_price: Decimal
    tax_amount: Decimal
    total: Decimal


def line_price(
    *,
    unit_price: Decimal,
    quantity: int,
    currency_code: str,
    tax_rate_percent: Decimal,
    prices_include_tax: bool,
) -> LinePrice:
    extended = round_money(unit_price * quantity, currency_code)
    tax, total = tax_on(
        extended,
        tax_rate_percent=tax_rate_percent,
        prices_include_tax=prices_include_tax,
        currency_code=currency_code,
    )
    return LinePrice(
        currency_code=currency_code,
        prices_include_tax=prices_include_tax,
        tax_rate_percent=tax_rate_percent,
        unit_price=unit_price,
        quantity=quantity,
        extended_price=extended,
        tax_amount=tax,
        total=total,
    )


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal


def order_totals(prices: list[LinePrice]) -> Totals:
    """Subtotal is the sum of extended prices (tax included where prices include it)."""
    return Totals(
        subtotal=sum((p.extended_price for p in prices), Decimal(0)),
        tax_total=sum((p.tax_amount for p in prices), Decimal(0)),
        total=sum((p.total for p in prices), Decimal(0)),
    )
