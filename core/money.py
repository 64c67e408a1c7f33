"""Money is Decimal, rounded half-up to each currency's minor unit (CLDR data through Babel).

Tax, the one rule for prices, cancellation credits and refunds: prices exclude tax everywhere
except in markets whose prices include it (AU and BR). Where tax is added, it is amount × rate /
100 on top; where prices include it, the tax is the part the amount contains, amount × rate /
(100 + rate). Each figure is rounded to the currency's minor unit, and amount + tax = total to
the cent.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel.numbers import format_currency, get_currency_precision

HUNDRED = Decimal(100)


# Babel looks the precision up in its CLDR tables on each call; a page of orders rounds hundreds
# of figures in one or two currencies.
@lru_cache(maxsize=512)
def minor_unit(currency_code: str) -> Decimal:
    """The smallest amount of the currency: 0.01 for EUR, 1 for JPY."""
    return Decimal(1).scaleb(-get_currency_precision(currency_code))


def round_money(amount: Decimal, currency_code: str) -> Decimal:
    return Decimal(amount).quantize(minor_unit(currency_code), rounding=ROUND_HALF_UP)


def tax_on(
    amount: Decimal, *, tax_rate_percent: Decimal, prices_include_tax: bool, currency_code: str
) -> tuple[Decimal, Decimal]:
    """Return the (tax, total) of an amount priced as its market prices: tax added or contained."""
    amount = round_money(amount, currency_code)
    rate = Decimal(tax_rate_percent)
    if prices_include_tax:
        return round_money(amount * rate / (HUNDRED + rate), currency_code), amount
    tax = round_money(amount * rate / HUNDRED, currency_code)
    return tax, amount + tax


def tax_split(
    total: Decimal, *, tax_rate_percent: Decimal, prices_include_tax: bool, currency_code: str
) -> tuple[Decimal, Decimal]:
    """Return the (amount, tax) of a total that includes tax, split as its market charged it.

    Where prices include tax the amount keeps the whole total, as the charge's extended price
    did; where tax was added, the amount is the part before tax.
    """
    total = round_money(total, currency_code)
    rate = Decimal(tax_rate_percent)
    if prices_include_tax:
        return total, round_money(total * rate / (HUNDRED + rate), currency_code)
    amount = round_money(total * HUNDRED / (HUNDRED + rate), currency_code)
    return amount, total - amount


def format_money(amount: Decimal, currency_code: str, language: str) -> str:
    """The amount as people of the language write it: "€ 1.234,50" in Italian, "€1,234.50" else."""
    locale = {"it": "it_IT", "en": "en_IE"}.get(language, language)
    return format_currency(amount, currency_code, locale=locale)


def decimal_text(amount: Decimal, currency_code: str | None = None) -> str:
    """A decimal for JSON: rounded to the currency when given, never in exponent notation."""
    value = round_money(amount, currency_code) if currency_code else Decimal(amount).normalize()
    return format(value, "f")
