"""How an approved refund becomes a credit: the amount is what goes back, tax included.

The partner asks for money back in the order's currency: the amount they were charged, so tax
included. The credit's total is therefore the approved amount, and its tax is split off as the
order charged it: contained in the price in AU and BR (tax = total × rate / (100 + rate), the
amount column keeps the whole, as cancellation credits do there), added on top elsewhere (the
pre-tax amount = total × 100 / (100 + rate), tax = the rest, so amount + tax is the total to the
cent). One order is in one market, so its lines share one rate; the named purchase's rate is used
when the request names one.
"""

from __future__ import annotations

from decimal import Decimal

from core.money import HUNDRED, round_money
from orders.credit_services import CreditAmounts

# Partner Center's invoice lines carry a creditReasonCode; this one says "a support request".
REFUND_CREDIT_REASON_CODE = "supportRequestRefund"


def refund_credit_amounts(*, order, purchase, total: Decimal) -> CreditAmounts:
    line = purchase if purchase is not None else order.lines.order_by("line_number").first()
    rate = line.tax_rate_percent
    currency = order.currency_code
    total = round_money(total, currency)
    if order.prices_include_tax:
        amount = total
        tax = round_money(total * rate / (HUNDRED + rate), currency)
    else:
        amount = round_money(total * HUNDRED / (HUNDRED + rate), currency)
        tax = total - amount
    return CreditAmounts(
        currency_code=currency,
        prices_include_tax=order.prices_include_tax,
        tax_rate_percent=rate,
        amount=amount,
        tax_amount=tax,
        total=total,
    )
