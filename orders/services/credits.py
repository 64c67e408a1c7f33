"""Booking credits for the partner's next monthly invoice, exactly once per cause and never
more than remains of what was charged (orders.refundable)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction

from activity.models import OperationType, ResourceType
from activity.services import event_record
from webhooks.events import webhook_event_emit
from webhooks.models import EventType

from ..models import Credit, CreditKind
from ..refundable import credit_ledger, order_lock


@dataclass(frozen=True)
class CreditAmounts:
    currency_code: str
    prices_include_tax: bool
    tax_rate_percent: Decimal
    amount: Decimal
    tax_amount: Decimal
    total: Decimal


@dataclass(frozen=True)
class BookedCredit:
    credit: Credit
    created: bool


def _existing(*, kind: str, purchase, service_request_id) -> Credit | None:
    if kind == CreditKind.CANCEL_IMMEDIATE:
        return Credit.objects.filter(kind=kind, purchase=purchase).first()
    return Credit.objects.filter(kind=kind, service_request_id=service_request_id).first()


@transaction.atomic
def credit_book(
    *,
    partner,
    actor,
    customer,
    order,
    kind: CreditKind,
    reason_code: str,
    amounts: CreditAmounts,
    purchase=None,
    service_request_id: int | None = None,
    details: dict | None = None,
) -> BookedCredit:
    """Book one credit within what remains refundable; a second booking for the same cause
    returns the first, unchanged.

    Decided under the order's row lock, so of two credits for one order the second sees the
    first; the unique constraints and the database's cap trigger are the backstops.
    """
    order = order_lock(order_id=order.pk)
    existing = _existing(kind=kind, purchase=purchase, service_request_id=service_request_id)
    if existing is not None:
        return BookedCredit(credit=existing, created=False)
    refundable = credit_ledger(order_id=order.pk).refundable(
        order=order, purchase=purchase, release_hold=kind == CreditKind.CANCEL_IMMEDIATE
    )
    if amounts.total > refundable.remaining:
        raise refundable.refusal()
    credit = Credit(
        partner=partner,
        customer=customer,
        kind=kind,
        order=order,
        purchase=purchase,
        service_request_id=service_request_id,
        reason_code=reason_code,
        currency_code=amounts.currency_code,
        prices_include_tax=amounts.prices_include_tax,
        tax_rate_percent=amounts.tax_rate_percent,
        amount=amounts.amount,
        tax_amount=amounts.tax_amount,
        total=amounts.total,
    )
    try:
        with transaction.atomic():
            credit.save(force_insert=True)
    except IntegrityError as error:
        existing = _existing(kind=kind, purchase=purchase, service_request_id=service_request_id)
        if existing is None:
            # Not a second booking for the same cause: the cap trigger refused the row.
            raise refundable.refusal() from error
        return BookedCredit(credit=existing, created=False)
    event_record(
        partner=partner,
        actor=actor,
        operation=OperationType.CREATE_CREDIT,
        resource_type=ResourceType.INVOICE,
        customer=customer,
        object_id=str(credit.pk),
        details={
            "kind": kind,
            "reasonCode": reason_code,
            "total": str(credit.total),
            "currencyCode": credit.currency_code,
            **({"productTitle": purchase.product_title} if purchase is not None else {}),
            **(details or {}),
        },
    )
    webhook_event_emit(partner=partner, event_type=EventType.CREDIT_BOOKED, subject=credit)
    return BookedCredit(credit=credit, created=True)
