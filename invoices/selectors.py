"""Reads on invoices and on what the next ones will hold, scoped to the current partner."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from core.errors import NotFound
from customers.models import Customer
from orders.models import Credit, Purchase

from .drafts import draft_lines
from .figures import Totals, lines_by_customer, tax_by_market, totals_of
from .models import Invoice, InvoiceLine, LineKind
from .periods import Month, months_up_to

INVOICE_NUMBER_MAX_LENGTH = 40


def invoice_list() -> QuerySet[Invoice]:
    """Return the partner's invoices, newest first."""
    return Invoice.objects.order_by("-sequence")


def invoice_get(*, invoice_id: str) -> Invoice:
    """Return the current partner's invoice with this number; another partner's is not found."""
    invoice = None
    if len(invoice_id) <= INVOICE_NUMBER_MAX_LENGTH:
        invoice = Invoice.objects.filter(number=invoice_id).first()
    if invoice is None:
        raise NotFound(_("Invoice not found."))
    return invoice


def invoice_lines(*, invoice: Invoice) -> QuerySet[InvoiceLine]:
    """Return the invoice's lines in their order on the invoice."""
    return (
        InvoiceLine.objects.filter(invoice=invoice)
        .select_related("original_invoice")
        .order_by("line_number")
    )


@dataclass(frozen=True)
class NextInvoice:
    """What the next invoice in one currency holds so far."""

    currency_code: str
    lines: list[InvoiceLine]
    totals: Totals

    @property
    def groups(self):
        return lines_by_customer(self.lines)

    @property
    def tax_rows(self):
        return tax_by_market(self.lines)

    @property
    def has_cancellation_credit(self) -> bool:
        return any(line.kind == LineKind.CANCEL_IMMEDIATE for line in self.lines)


def unbilled(*, currency_code: str | None = None) -> list[NextInvoice]:
    """Return the unbilled lines as the next invoice of each currency, by currency code."""
    by_currency: dict[str, list[InvoiceLine]] = {}
    for line in draft_lines(currency_code=currency_code):
        by_currency.setdefault(line.currency_code, []).append(line)
    return [
        NextInvoice(currency_code=code, lines=lines, totals=totals_of(lines))
        for code, lines in sorted(by_currency.items())
    ]


@dataclass(frozen=True)
class MonthFigures:
    month: Month
    charges: Decimal
    credits: Decimal  # zero or negative, as on invoices

    @property
    def net(self) -> Decimal:
        return self.charges + self.credits


def charges_and_credits_by_month(*, currency_code: str, months: list[Month]) -> list[MonthFigures]:
    """Return what was charged and credited each month (UTC), tax included, invoiced or not.

    Purchases count by the time they were placed, credits by the time they were booked.
    """
    since, until = months[0].start_at, months[-1].end_at
    charged = (
        Purchase.objects.filter(
            currency_code=currency_code, purchased_at__gte=since, purchased_at__lt=until
        )
        .annotate(month=TruncMonth("purchased_at", tzinfo=UTC))
        .values("month")
        .annotate(total=Sum("total"))
    )
    credited = (
        Credit.objects.filter(
            currency_code=currency_code, booked_at__gte=since, booked_at__lt=until
        )
        .annotate(month=TruncMonth("booked_at", tzinfo=UTC))
        .values("month")
        .annotate(total=Sum("total"))
    )
    charges = {Month.of(row["month"]): row["total"] for row in charged}
    credits = {Month.of(row["month"]): -row["total"] for row in credited}
    zero = Decimal(0)
    return [
        MonthFigures(
            month=month, charges=charges.get(month, zero), credits=credits.get(month, zero)
        )
        for month in months
    ]


@dataclass(frozen=True)
class CustomerFigures:
    name: str
    tenant_id: uuid.UUID
    charges: Decimal
    credits: Decimal  # zero or negative, as on invoices

    @property
    def net(self) -> Decimal:
        return self.charges + self.credits


def charges_and_credits_by_customer(
    *, currency_code: str, since: datetime, until: datetime, limit: int
) -> list[CustomerFigures]:
    """Return the customers who cost most in the period, most first, at most `limit` of them.

    What a customer cost is its charges less its credits, tax included.
    """
    charged = dict(
        Purchase.objects.filter(
            currency_code=currency_code, purchased_at__gte=since, purchased_at__lt=until
        ).order_by().values("customer_id").annotate(total=Sum("total"))
        .values_list("customer_id", "total")
    )
    credited = dict(
        Credit.objects.filter(
            currency_code=currency_code, booked_at__gte=since, booked_at__lt=until
        ).order_by().values("customer_id").annotate(total=Sum("total"))
        .values_list("customer_id", "total")
    )
    customers = Customer.objects.in_bulk(set(charged) | set(credited))
    zero = Decimal(0)
    figures = [
        CustomerFigures(
            name=customer.company_name, tenant_id=customer.entra_tenant_id,
            charges=charged.get(pk, zero), credits=-credited.get(pk, zero),
        )
        for pk, customer in customers.items()
    ]
    figures.sort(key=lambda figure: (-figure.net, figure.name))
    return figures[:limit]


CHART_MONTHS = 12


@dataclass(frozen=True)
class SpendFigures:
    currency_code: str
    currencies: list[str]
    months: list[MonthFigures]
    customers: list[CustomerFigures]


def spend_figures(
    *, partner, currency_code: str = "", at: datetime, customer_limit: int = 0
) -> SpendFigures:
    """Return the last 12 months' charges and credits by month, and the top customers if asked.

    One currency: the one asked for, else the partner's billing currency, else one it used.
    """
    months = months_up_to(at=at, count=CHART_MONTHS)
    currencies = currencies_since(since=months[0].start_at)
    preferred = (currency_code, partner.billing_currency)
    currency = next((code for code in preferred if code in currencies), None)
    currency = currency or (currencies[0] if currencies else partner.billing_currency)
    customers = (
        charges_and_credits_by_customer(
            currency_code=currency, since=months[0].start_at, until=months[-1].end_at,
            limit=customer_limit,
        )
        if customer_limit else []
    )
    return SpendFigures(
        currency_code=currency,
        currencies=currencies,
        months=charges_and_credits_by_month(currency_code=currency, months=months),
        customers=customers,
    )


def currencies_since(*, since) -> list[str]:
    """Return the currencies the partner was charged or credited in since the moment."""
    charged = (
        Purchase.objects.filter(purchased_at__gte=since)
        .order_by()
        .values_list("currency_code", flat=True)
    )
    credited = (
        Credit.objects.filter(booked_at__gte=since)
        .order_by()
        .values_list("currency_code", flat=True)
    )
    return sorted(set(charged.distinct()) | set(credited.distinct()))
