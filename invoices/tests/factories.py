"""Invoices for tests are issued through the real service, from purchases placed as partners do."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from catalog.models import Billing, Market, ProductFamily, Term
from core.tenancy import partner_scope
from invoices.models import Invoice
from invoices.periods import Month
from invoices.services import invoice_issue
from orders.tests.factories import order_for

SEPTEMBER, OCTOBER = Month(2026, 9), Month(2026, 10)
# The worked month's refund (conftest.py): the support request that approved it.
REFUND_SERVICE_REQUEST_ID = 4711
# When the beat closes a month: half an hour into the next.
CLOSE_DELAY = timedelta(minutes=30)
SUBSCRIPTION = {
    "family": ProductFamily.SERVER_SUBSCRIPTION,
    "term": Term.ONE_YEAR,
    "billing": Billing.SUBSCRIPTION,
}


def close_time(month: Month):
    return month.end_at + CLOSE_DELAY


def buy(customer, unit_price: str, *, at, subscription: bool = False, **order):
    """Place a one-line order for the customer at the moment; return its purchase."""
    placed = order_for(
        customer,
        unit_price=Decimal(unit_price),
        at=at,
        **(SUBSCRIPTION if subscription else {}),
        **order,
    )
    with partner_scope(customer.partner):
        return placed.lines.get()


def invoice_for(customer, *, month: Month = SEPTEMBER, **order) -> Invoice:
    """The partner's invoice for the month in the customer's currency; when there is none yet,
    one purchase is placed in the month and the month is closed."""
    partner = customer.partner
    with partner_scope(partner):
        currency_code = Market.objects.get(country=customer.country.code).currency_code
        issued = Invoice.objects.filter(
            period_start=month.first_day, currency_code=currency_code
        ).first()
    if issued is not None:
        return issued
    buy(customer, "100", at=month.start_at + timedelta(days=4, hours=10), **order)
    with partner_scope(partner):
        return invoice_issue(
            partner=partner, currency_code=currency_code, month=month, at=close_time(month)
        )
