"""Dates, rates and market names as the active language writes them (Babel's CLDR data)."""

from datetime import UTC, date, datetime
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_percent
from django import template
from django.utils.translation import get_language
from django_countries.fields import Country

register = template.Library()

# The locales core.money formats amounts in, so that an invoice's dates and amounts agree.
_LOCALES = {"it": "it_IT", "en": "en_IE"}


def _locale() -> str:
    language = get_language() or "en"
    return _LOCALES.get(language, language)


def _date(value: date | datetime, length: str) -> str:
    # Invoices are cut by UTC months, so their moments are dated in UTC too.
    if isinstance(value, datetime):
        value = value.astimezone(UTC).date()
    return format_date(value, length, locale=_locale())


@register.filter
def long_date(value: date | datetime) -> str:
    """1 November 2026, 1 novembre 2026."""
    return _date(value, "long")


@register.filter
def medium_date(value: date | datetime) -> str:
    """1 Nov 2026, 1 nov 2026."""
    return _date(value, "medium")


@register.filter
def month_short(value: date) -> str:
    """Oct, ott."""
    return format_date(value, "LLL", locale=_locale())


@register.filter
def month_year(value: date) -> str:
    """October 2026, ottobre 2026."""
    return format_date(value, "LLLL y", locale=_locale())


@register.filter
def rate(percent: Decimal) -> str:
    """A tax rate: 22%, 14.25% (14,25% in Italian)."""
    return format_percent(Decimal(percent) / 100, "#,##0.##%", locale=_locale())


@register.filter
def market_name(code: str) -> str:
    return str(Country(code).name) or code
