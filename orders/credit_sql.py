"""The credits that limit what can still come back, read in one statement.

The orders' credits (booked, or held by a pending cancellation) and the customer's Azure
reservation refunds of the last 12 months are read together: a page of orders or the Software
page needs both, and building the four ORM queries cost more than running them. Written for
PostgreSQL and SQLite alike; money comes back as text, so that neither driver's float or numeric
conversion decides a digit (SQLite keeps decimals as 15-digit REALs, as Django's own reads do).
Every part is limited to the partner in scope, as the scoped managers would.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import connection

from catalog.models import ProductFamily
from core.tenancy import require_partner

from .models import CreditKind, Order, PurchaseStatus

# The tables are orders.Credit's and orders.Purchase's (orders_orderline).
# The ledger's two parts, for a customer's orders or for one order.
_LEDGER = {
    "customer": """
SELECT 'ledger', order_id, purchase_id, CAST(SUM(total) AS TEXT), NULL FROM orders_credit
WHERE partner_id = %s AND customer_id = %s GROUP BY order_id, purchase_id
UNION ALL
SELECT 'ledger', order_id, id, CAST(cancellation_credit_total AS TEXT), NULL
FROM orders_orderline
WHERE partner_id = %s AND customer_id = %s AND status = %s
  AND cancellation_credit_total IS NOT NULL""",
    "order": """
SELECT 'ledger', order_id, purchase_id, CAST(SUM(total) AS TEXT), NULL FROM orders_credit
WHERE partner_id = %s AND order_id = %s GROUP BY order_id, purchase_id
UNION ALL
SELECT 'ledger', order_id, id, CAST(cancellation_credit_total AS TEXT), NULL
FROM orders_orderline
WHERE partner_id = %s AND order_id = %s AND status = %s
  AND cancellation_credit_total IS NOT NULL""",
}
_REFUNDS = """
SELECT 'refund', NULL, NULL, CAST(c.total AS TEXT), c.currency_code FROM orders_credit c
  JOIN orders_orderline p ON p.id = c.purchase_id
WHERE c.partner_id = %s AND c.customer_id = %s AND c.kind = %s AND c.booked_at > %s
  AND p.family = %s
UNION ALL
SELECT 'refund', NULL, NULL, CAST(cancellation_credit_total AS TEXT), currency_code
FROM orders_orderline
WHERE partner_id = %s AND customer_id = %s AND family = %s AND status = %s"""


@dataclass
class CreditRows:
    """What the statement found: the ledger's (order, purchase or None, amount) rows and the
    reservation refunds' (amount, currency) rows."""

    ledger: list[tuple[uuid.UUID, int | None, Decimal]] = field(default_factory=list)
    refunds: list[tuple[Decimal, str]] = field(default_factory=list)


def _uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


def credit_rows(
    *,
    customer_id: int | None = None,
    order_id: uuid.UUID | None = None,
    ledger: bool = True,
    refunds_since: datetime | None = None,
) -> CreditRows:
    """Read the ledger rows of the customer's orders (or of one order), and with `refunds_since`
    the customer's reservation refunds booked after it or held by a pending cancellation."""
    partner_id = require_partner().pk
    parts, params = [], []
    if ledger:
        if order_id is not None:
            scope, scope_value = "order", Order._meta.pk.get_db_prep_value(order_id, connection)
        else:
            scope, scope_value = "customer", customer_id
        parts.append(_LEDGER[scope])
        params += [partner_id, scope_value, partner_id, scope_value,
                   PurchaseStatus.PENDING_CANCELLATION]
    if refunds_since is not None:
        parts.append(_REFUNDS)
        params += [
            partner_id, customer_id, CreditKind.CANCEL_IMMEDIATE,
            connection.ops.adapt_datetimefield_value(refunds_since),
            ProductFamily.AZURE_RESERVATION,
            partner_id, customer_id, ProductFamily.AZURE_RESERVATION,
            PurchaseStatus.PENDING_CANCELLATION,
        ]
    found = CreditRows()
    if not parts:
        return found
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for part, order, purchase, amount, currency in cursor.fetchall():
            if part == "ledger":
                found.ledger.append((_uuid(order), purchase, Decimal(amount)))
            else:
                found.refunds.append((Decimal(amount), currency))
    return found
