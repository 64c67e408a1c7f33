"""What an invoice adds up to: totals, its lines by customer, and tax per market.

The same functions serve an issued invoice and the unbilled lines of the next one, so the page,
the PDF and the API never add up the same lines differently.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .models import InvoiceLine

ZERO = Decimal(0)


@dataclass(frozen=True)
class Totals:
    charges: Decimal
    credits: Decimal
    subtotal: Decimal
    tax: Decimal
    total: Decimal


def totals_of(lines: Iterable[InvoiceLine]) -> Totals:
    charges = credits = subtotal = tax = ZERO
    for line in lines:
        if line.is_credit:
            credits += line.total
        else:
            charges += line.total
        subtotal += line.amount
        tax += line.tax_amount
    return Totals(
        charges=charges, credits=credits, subtotal=subtotal, tax=tax, total=charges + credits
    )


def invoice_totals(invoice) -> Totals:
    """An issued invoice's totals as stored at issue."""
    return Totals(
        charges=invoice.charges_total,
        credits=invoice.credits_total,
        subtotal=invoice.subtotal,
        tax=invoice.tax_total,
        total=invoice.total,
    )


@dataclass(frozen=True)
class CustomerGroup:
    name: str
    domain: str
    tenant_id: object
    country: str
    city: str
    lines: list[InvoiceLine]
    totals: Totals


def lines_by_customer(lines: Iterable[InvoiceLine]) -> list[CustomerGroup]:
    """The lines of each customer, in the order they come, with the customer's totals."""
    groups: dict[object, list[InvoiceLine]] = {}
    for line in lines:
        groups.setdefault(line.customer_tenant_id, []).append(line)
    return [
        CustomerGroup(
            name=group[0].customer_name,
            domain=group[0].customer_domain,
            tenant_id=tenant_id,
            country=group[0].customer_country,
            city=group[0].customer_city,
            lines=group,
            totals=totals_of(group),
        )
        for tenant_id, group in groups.items()
    ]


@dataclass(frozen=True)
class TaxRow:
    market: str
    tax_rate_percent: Decimal
    prices_include_tax: bool
    amount: Decimal
    tax: Decimal
    total: Decimal


def tax_by_market(lines: Iterable[InvoiceLine]) -> list[TaxRow]:
    """One row per market and rate: the amount taxed, the tax, and the two together."""
    sums: dict[tuple, list[Decimal]] = {}
    for line in lines:
        key = (line.market, line.tax_rate_percent, line.prices_include_tax)
        row = sums.setdefault(key, [ZERO, ZERO, ZERO])
        row[0] += line.amount
        row[1] += line.tax_amount
        row[2] += line.total
    return [
        TaxRow(
            market=market,
            tax_rate_percent=rate,
            prices_include_tax=included,
            amount=amount,
            tax=tax,
            total=total,
        )
        for (market, rate, included), (amount, tax, total) in sorted(sums.items())
    ]
