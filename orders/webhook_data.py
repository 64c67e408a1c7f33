"""What orders' webhook events carry: the order as the API shapes it (API.md, Orders).

A purchase event carries its order, with `lineItemNumber` naming the purchase it is about.
"""

from __future__ import annotations

from django.utils import timezone

from core.money import decimal_text

from .api.serializers import customer_facts, order_representation
from .models import Credit, Order, Purchase
from .selectors import cancellation_facts, lines_of


def order_data(order: Order) -> dict:
    """Shape the order as GET /v1/customers/{id}/orders/{orderId} answers it."""
    customer = order.customer
    lines_by_order = lines_of([order])
    facts = cancellation_facts(
        customer=customer, orders=[order], at=timezone.now(), lines_by_order=lines_by_order
    )
    return order_representation(
        order, customer=customer_facts(customer), cancellations=facts,
        lines=lines_by_order[order.pk],
    )


def purchase_data(purchase: Purchase) -> dict:
    """Shape the purchase's order, naming the purchase's line."""
    return {**order_data(purchase.order), "lineItemNumber": purchase.line_number}


def credit_data(credit: Credit) -> dict:
    """Shape a booked credit: what it is for and how much, as the API words money."""
    currency = credit.currency_code
    return {
        "id": str(credit.pk),
        "kind": credit.kind,
        "reasonCode": credit.reason_code,
        "orderId": str(credit.order_id),
        "lineItemNumber": credit.purchase.line_number if credit.purchase_id else None,
        "serviceRequestId": (
            str(credit.service_request_id) if credit.service_request_id else None
        ),
        "currencyCode": currency,
        "pricesIncludeTax": credit.prices_include_tax,
        "amount": decimal_text(credit.amount, currency),
        "taxAmount": decimal_text(credit.tax_amount, currency),
        "total": decimal_text(credit.total, currency),
        "bookedDate": credit.booked_at.isoformat(),
    }
