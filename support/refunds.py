"""How an approved refund becomes a credit: the amount is what goes back, tax included.

The partner asks for money back in the order's currency: the amount they were charged, so tax
included. The credit's total is therefore the approved amount, and its tax is split off as the
order charged it (core.money.tax_split). One order is in one market, so its lines share one
rate; the named purchase's rate is used when the request names one. How much may come back at
all is orders.refundable's to say.
"""

from __future__ import annotations

from decimal import Decimal

from core.money import round_money, tax_split
from orders.services.credits import CreditAmounts

# Partner Center's invoice lines carry a creditReasonCode; this one says "a support request".
REFUND_CREDIT_REASON_CODE = "supportRequestRefund"


def refund_credit_amounts(*, order, purchase, total: Decimal) -> CreditAmounts:
    line = purchase if purchase is not None else order.lines.order_by("line_number").first()
    amount, tax = tax_split(
        total,
        currency_code=order.currency_code,
        tax_rate_percent=line.tax_rate_percent,
        prices_include_tax=order.prices_include_tax,
    )
    return CreditAmounts(
        currency_code=order.currency_code,
        prices_include_tax=order.prices_include_tax,
        tax_rate_percent=line.tax_rate_percent,
        amount=amount,
        tax_amount=tax,
        total=round_money(total, order.currency_code),
    )
