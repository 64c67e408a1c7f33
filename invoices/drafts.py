"""The next invoice's lines: purchases not yet charged and credits not yet given on an invoice.

The Unbilled page shows these lines unsaved; issuing an invoice saves the same lines, so what a
partner sees there is what the invoice will hold.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import F, QuerySet

from orders.models import Credit, Purchase

from .models import InvoiceLine, LineKind

_KIND_ORDER = {LineKind.CHARGE: 0, LineKind.CANCEL_IMMEDIATE: 1, LineKind.CUSTOMER_CREDIT: 2}


def unbilled_charges(
    purchases: QuerySet[Purchase],
    *,
    currency_code: str | None = None,
    before: datetime | None = None,
) -> QuerySet[Purchase]:
    """The purchases that no invoice has charged yet."""
    purchases = purchases.filter(invoice_charge__isnull=True)
    if currency_code:
        purchases = purchases.filter(currency_code=currency_code)
    if before is not None:
        purchases = purchases.filter(purchased_at__lt=before)
    return purchases


def unbilled_credits(
    credits: QuerySet[Credit],
    *,
    currency_code: str | None = None,
    before: datetime | None = None,
) -> QuerySet[Credit]:
    """The credits that no invoice has given yet."""
    credits = credits.filter(invoice_line__isnull=True)
    if currency_code:
        credits = credits.filter(currency_code=currency_code)
    if before is not None:
        credits = credits.filter(booked_at__lt=before)
    return credits


def _customer_snapshot(customer) -> dict:
    return {
        "customer": customer,
        "customer_name": customer.company_name,
        "customer_domain": customer.primary_domain,
        "customer_tenant_id": customer.entra_tenant_id,
        "customer_country": customer.country.code,
        "customer_city": customer.city,
    }


def _purchase_snapshot(purchase) -> dict:
    return {
        "order": purchase.order,
        "order_alternate_id": purchase.order.alternate_id,
        "catalog_item_id": purchase.catalog_item_id,
        "product_title": purchase.product_title,
        "sku_title": purchase.sku_title,
        "term_duration": purchase.term_duration,
        "quantity": purchase.quantity,
    }


def _charge_line(purchase: Purchase) -> InvoiceLine:
    # The snapshot taken at purchase decides price and tax; nothing is recomputed here.
    return InvoiceLine(
        partner_id=purchase.partner_id,
        kind=LineKind.CHARGE,
        currency_code=purchase.currency_code,
        charge=purchase,
        market=purchase.market_code,
        unit_price=purchase.unit_price,
        occurred_at=purchase.purchased_at,
        prices_include_tax=purchase.prices_include_tax,
        tax_rate_percent=purchase.tax_rate_percent,
        amount=purchase.total - purchase.tax_amount,
        tax_amount=purchase.tax_amount,
        total=purchase.total,
        **_customer_snapshot(purchase.customer),
        **_purchase_snapshot(purchase),
    )


def _credit_line(credit: Credit) -> InvoiceLine:
    purchase = credit.purchase
    about = {}
    if purchase is not None:
        charged = getattr(purchase, "invoice_charge", None)
        about = {
            **_purchase_snapshot(purchase),
            "original_invoice": charged.invoice if charged is not None else None,
        }
    return InvoiceLine(
        partner_id=credit.partner_id,
        kind=LineKind(credit.kind),
        currency_code=credit.currency_code,
        credit=credit,
        # A refund names no purchase, so its tax follows the customer's market.
        market=credit.purchase_market_code or credit.customer.country.code,
        occurred_at=credit.booked_at,
        credit_reason_code=credit.reason_code,
        service_request_id=credit.service_request_id,
        prices_include_tax=credit.prices_include_tax,
        tax_rate_percent=credit.tax_rate_percent,
        amount=-(credit.total - credit.tax_amount),
        tax_amount=-credit.tax_amount,
        total=-credit.total,
        **_customer_snapshot(credit.customer),
        **about,
    )


def _order(line: InvoiceLine) -> tuple:
    source_id = line.charge.pk if line.charge is not None else line.credit.pk
    return (
        line.currency_code,
        line.customer_name.casefold(),
        line.customer_tenant_id,
        line.occurred_at,
        _KIND_ORDER[line.kind],
        source_id,
    )


def draft_lines(
    *, currency_code: str | None = None, before: datetime | None = None
) -> list[InvoiceLine]:
    """Unsaved lines for the current partner's unbilled charges and credits: by currency,
    customer, then date."""
    purchases = (
        unbilled_charges(Purchase.objects.all(), currency_code=currency_code, before=before)
        .select_related("order", "customer")
        .annotate(market_code=F("availability__market_id"))
    )
    credits = (
        unbilled_credits(Credit.objects.all(), currency_code=currency_code, before=before)
        .select_related("customer", "purchase__order", "purchase__invoice_charge__invoice")
        .annotate(purchase_market_code=F("purchase__availability__market_id"))
    )
    lines = [_charge_line(purchase) for purchase in purchases]
    lines += [_credit_line(credit) for credit in credits]
    lines.sort(key=_order)
    numbers: dict[str, int] = {}
    for line in lines:
        # Each currency is a separate invoice, numbered from 1.
        numbers[line.currency_code] = line.line_number = numbers.get(line.currency_code, 0) + 1
    return lines
