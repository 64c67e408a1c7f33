"""Money is Decimal, rounded half-up to each currency's minor unit (CLDR data through Babel)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency, get_currency_precision

HUNDRED = Decimal(100)


def minor_unit(currency_code: str) -> Decimal:
    """The smallest amount of the currency: 0.01 for EUR, 1 for JPY."""
    return Decimal(1).scaleb(-get_currency_precision(currency_code))


def round_money(amount: Decimal, currency_code: str) -> Decimal:
    return Decimal(amount).quantize(minor_unit(currency_code), rounding=ROUND_HALF_UP)


def format_money(amount: Decimal, currency_code: str, language: str) -> str:
    """The amount as people of the language write it: "€ 1.234,50" in Italian, "€1,234.50" else."""
    locale = {"it": "it_IT", "en": "en_IE"}.get(language, language)
    return format_currency(amount, currency_code, locale=locale)


def decimal_text(amount: Decimal, currency_code: str | None = None) -> str:
    """A decimal for JSON: rounded to the currency when given, never in exponent notation."""
    value = round_money(amount, currency_code) if currency_code else Decimal(amount).normalize()
    return format(value, "f")
