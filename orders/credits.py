"""The credit a cancellation books: 100% for one-time purchases; for subscriptions the unused
days of the term × the daily price. Rounded per currency, never more than was charged, and with
tax treated as on the charge (added in tax-exclusive markets, contained in AU and BR). What
remains refundable of the purchase and its order caps it further (orders.refundable)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from catalog.models import Billing
from core.money import HUNDRED, round_money

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Credit:
    currency_code: str
    extended_amount: Decimal
    tax_amount: Decimal
    total: Decimal
    unused_days: int | None
    term_days: int | None


def _days_started(elapsed: timedelta) -> int:
    """A day of the term counts as used as soon as it has begun."""
    return max(0, math.ceil(elapsed / ONE_DAY))


def tax_split(
    *, total: Decimal, currency_code: str, tax_rate_percent: Decimal, prices_include_tax: bool
) -> tuple[Decimal, Decimal]:
    """A credit's (amount, tax) for a total given back, tax included, as the charge had them.

    Contained in the price (AU, BR): the amount column keeps the whole total, the tax is the part
    it contains. Added on top elsewhere: the amount is the pre-tax part and the tax the rest, so
    amount + tax is the total to the cent.
    """
    total = round_money(total, currency_code)
    rate = tax_rate_percent
    if prices_include_tax:
        return total, round_money(total * rate / (HUNDRED + rate), currency_code)
    amount = round_money(total * HUNDRED / (HUNDRED + rate), currency_code)
    return amount, total - amount


def credit_capped(credit: Credit, *, purchase, limit: Decimal) -> Credit:
    """The credit, or a smaller one of `limit` (tax included) with its tax split off again."""
    if credit.total <= limit:
        return credit
    amount, tax = tax_split(
        total=limit,
        currency_code=credit.currency_code,
        tax_rate_percent=purchase.tax_rate_percent,
        prices_include_tax=purchase.prices_include_tax,
    )
    return Credit(
        currency_code=credit.currency_code,
        extended_amount=amount,
        tax_amount=tax,
        total=round_money(limit, credit.currency_code),
        unused_days=credit.unused_days,
        term_days=credit.term_days,
    )


def purchase_credit(*, purchase, at: datetime) -> Credit:
    currency = purchase.currency_code
    unused_days = term_days = None
    extended = purchase.extended_price
    if purchase.billing == Billing.SUBSCRIPTION and purchase.term_start_at and purchase.term_end_at:
        term_days = round((purchase.term_end_at - purchase.term_start_at) / ONE_DAY)
        unused_days = max(0, term_days - _days_started(at - purchase.term_start_at))
        extended = round_money(purchase.extended_price * unused_days / term_days, currency)
    extended = min(extended, purchase.extended_price)
    rate = purchase.tax_rate_percent
    if purchase.prices_include_tax:
        tax = round_money(extended * rate / (HUNDRED + rate), currency)
        total = extended
    else:
        tax = round_money(extended * rate / HUNDRED, currency)
        total = extended + tax
    return Credit(
        currency_code=currency,
        extended_amount=extended,
        tax_amount=min(tax, purchase.tax_amount),
        total=min(total, purchase.total),
        unused_days=unused_days,
        term_days=term_days,
    )
