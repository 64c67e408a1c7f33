"""Cancelling a purchase: requested at once (keys and links revoked), completed after the
propagation delay by a Celery task, or by the reconciler when that task was lost. Completion
books the credit exactly once: the row lock and the credit's unique constraint both see to it.

Locks are taken in one order everywhere: the purchase, then its customer, then its order. The
customer's lock makes concurrent cancellations of one customer decide the reservation refund cap
one after the other; the order's lock does the same for what remains refundable of it. They are
FOR NO KEY UPDATE locks: they exclude each other, but not the key-share locks that inserting a
row referencing them takes (a refund's credit and event name the customer, the order and maybe
the purchase), so an approval running beside a cancellation waits for it instead of deadlocking.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from activity.models import OperationType, ResourceType
from activity.services import event_record
from core.background import task_enqueue_on_commit
from core.errors import Conflict, PortalError
from core.money import decimal_text
from customers.models import Customer
from webhooks.events import webhook_event_emit
from webhooks.models import EventType

from ..models import CreditKind, Order, OrderStatus, Purchase, PurchaseStatus
from ..notifications import cancellation_completed_notify
from ..policy import ERROR_CODES, purchase_cancellation
from ..refundable import credit_capped, credit_ledger, order_lock, purchase_credit
from ..selectors import order_get, purchase_get
from .credits import CreditAmounts, credit_book

CANCELLATION_REASON_CODE = "cancelled_within_window"


class CancellationRefused(Conflict):
    """The purchase may not be cancelled now; `code` says why."""


def _order_status_refresh(order: Order) -> None:
    """Cancelled when every line is; pending while every line is pending or cancelled."""
    counts = order.lines.aggregate(
        total=Count("id"),
        cancelled=Count("id", filter=Q(status=PurchaseStatus.CANCELLED)),
        pending=Count("id", filter=Q(status=PurchaseStatus.PENDING_CANCELLATION)),
    )
    if counts["cancelled"] == counts["total"]:
        status = OrderStatus.CANCELLED
    elif counts["cancelled"] + counts["pending"] == counts["total"]:
        status = OrderStatus.PENDING_CANCELLATION
    else:
        status = OrderStatus.COMPLETED
    if order.status != status:
        Order.objects.filter(pk=order.pk).update(status=status)


def _lock_customer(purchase: Purchase) -> None:
    """Take the customer's row lock: its cancellations are decided one at a time."""
    list(
        Customer.objects.select_for_update(no_key=True)
        .filter(pk=purchase.customer_id)
        .values("pk")
    )


@transaction.atomic
def purchase_cancel(
    *, partner, actor, purchase_id: int, acknowledged: bool, at: datetime | None = None
) -> Purchase:
    """Request the cancellation: pending at once (its keys and links stop working), completion
    scheduled."""
    at = at or timezone.now()
    if not acknowledged:
        raise PortalError(
            _("Tick the box to confirm you have read the Important notice."),
            code="acknowledgement_required",
            field="acknowledged",
        )
    purchase = purchase_get(purchase_id=purchase_id, for_update=True)
    _lock_customer(purchase)
    purchase.order = order_lock(order_id=purchase.order_id)
    facts = purchase_cancellation(
        purchase=purchase, at=at, ledger=credit_ledger(order_id=purchase.order_id)
    )
    if not facts.allowed:
        raise CancellationRefused(facts.message, code=ERROR_CODES[facts.reason])
    delay = timedelta(seconds=settings.CANCELLATION_PROPAGATION_DELAY_SECONDS)
    purchase.status = PurchaseStatus.PENDING_CANCELLATION
    purchase.cancellation_requested_at = at
    purchase.cancellation_requested_by = actor
    purchase.cancellation_complete_after = at + delay
    purchase.cancellation_credit_total = facts.credit.total
    purchase.save(
        update_fields=[
            "status",
            "cancellation_requested_at",
            "cancellation_requested_by",
            "cancellation_complete_after",
            "cancellation_credit_total",
        ]
    )
    _order_status_refresh(purchase.order)
    event_record(
        partner=partner,
        actor=actor,
        operation=OperationType.CANCEL_ORDER,
        resource_type=ResourceType.ORDER,
        customer=purchase.customer,
        object_id=str(purchase.order_id),
        details={
            "productTitle": purchase.product_title,
            "orderId": str(purchase.order_id),
            "alternateId": purchase.order.alternate_id,
            "lineItemNumber": purchase.line_number,
            "creditPreview": decimal_text(facts.credit_preview, purchase.currency_code),
            "currencyCode": purchase.currency_code,
            "completeAfter": purchase.cancellation_complete_after.isoformat(),
        },
    )
    webhook_event_emit(
        partner=partner, event_type=EventType.PURCHASE_CANCELLATION_REQUESTED, subject=purchase
    )
    # Robust: the due time is in the row and the reconciler completes it, so a broker outage
    # must not turn a recorded request into an error page.
    task_enqueue_on_commit(
        "orders.purchase_cancellation_complete",
        partner_id=partner.pk,
        purchase_id=purchase.pk,
        countdown=delay.total_seconds(),
        robust=True,
    )
    return purchase


@transaction.atomic
def purchase_cancellation_complete(*, purchase_id: int, at: datetime | None = None) -> bool:
    """Complete a due cancellation once: status, credit, events. False when there is nothing to
    do (already completed, not requested, or not due yet)."""
    at = at or timezone.now()
    purchase = purchase_get(purchase_id=purchase_id, for_update=True)
    if purchase.status != PurchaseStatus.PENDING_CANCELLATION:
        return False
    if purchase.cancellation_complete_after > at:
        return False
    purchase.order = order_lock(order_id=purchase.order_id)
    remaining = credit_ledger(order_id=purchase.order_id).refundable(
        order=purchase.order, purchase=purchase, release_hold=True
    )
    # The credit as previewed when the partner asked (and held since), so the preview is what
    # gets booked; never more than remains, should the rule have been broken meanwhile.
    credit = credit_capped(
        purchase_credit(purchase=purchase, at=purchase.cancellation_requested_at),
        purchase=purchase,
        limit=min(purchase.cancellation_credit_total, remaining.remaining),
    )
    partner = purchase.partner
    booked = None
    if credit.total > 0:
        booked = credit_book(
            partner=partner,
            actor=None,
            customer=purchase.customer,
            order=purchase.order,
            kind=CreditKind.CANCEL_IMMEDIATE,
            reason_code=CANCELLATION_REASON_CODE,
            purchase=purchase,
            amounts=CreditAmounts(
                currency_code=credit.currency_code,
                prices_include_tax=purchase.prices_include_tax,
                tax_rate_percent=purchase.tax_rate_percent,
                amount=credit.extended_amount,
                tax_amount=credit.tax_amount,
                total=credit.total,
            ),
            details={
                "orderId": str(purchase.order_id),
                "alternateId": purchase.order.alternate_id,
            },
        ).credit
    purchase.status = PurchaseStatus.CANCELLED
    purchase.cancelled_at = at
    purchase.save(update_fields=["status", "cancelled_at"])
    _order_status_refresh(purchase.order)
    event_record(
        partner=partner,
        actor=None,
        actor_email="",
        operation=OperationType.COMPLETE_CANCELLATION,
        resource_type=ResourceType.ORDER,
        customer=purchase.customer,
        object_id=str(purchase.order_id),
        details={
            "productTitle": purchase.product_title,
            "orderId": str(purchase.order_id),
            "creditId": booked.pk if booked else None,
            "credit": decimal_text(booked.total if booked else 0, purchase.currency_code),
            "currencyCode": purchase.currency_code,
        },
    )
    cancellation_completed_notify(purchase=purchase)
    webhook_event_emit(partner=partner, event_type=EventType.PURCHASE_CANCELLED, subject=purchase)
    return True


@transaction.atomic
def order_cancel(
    *,
    partner,
    actor,
    customer,
    order_id,
    line_numbers: list[int] | None = None,
    acknowledged: bool,
) -> Order:
    """Request the cancellation of the order's lines (every line when none are named).

    All of them or none: a line that may not be cancelled refuses the whole request.
    """
    order = order_get(customer=customer, order_id=order_id)
    lines = {line.line_number: line for line in order.lines.all()}
    unknown = [number for number in line_numbers or () if number not in lines]
    if unknown:
        raise PortalError(
            _("The order has no line %(number)s.") % {"number": unknown[0]},
            code="invalid_line_item",
            field="lineItems",
        )
    for number in line_numbers or sorted(lines):
        purchase_cancel(
            partner=partner,
            actor=actor,
            purchase_id=lines[number].pk,
            acknowledged=acknowledged,
        )
    return order_get(customer=customer, order_id=order_id)
