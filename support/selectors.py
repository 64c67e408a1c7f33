"""Reads for partner staff: their own partner's requests, never support staff's internal notes.

Every query goes through the scoped managers, so another partner's request, file, customer or
order is simply not found.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from core.errors import NotFound
from customers.models import Customer
from orders.models import Order, Purchase
from orders.refundable import Refundable, refundable_get

from .intake import Problems, ServiceRequestDraft
from .models import Attachment, ServiceRequest, ServiceRequestNote


def service_request_list(*, customer=None, search: str = "") -> QuerySet[ServiceRequest]:
    """Return the partner's requests, newest first (with their customer: one query a page)."""
    requests = ServiceRequest.objects.select_related("customer", "partner").matching(search)
    if customer is not None:
        requests = requests.filter(customer=customer)
    return requests.order_by("-created_at", "-id")


def _partner_visible_notes() -> QuerySet[ServiceRequestNote]:
    return (
        ServiceRequestNote.objects.filter(is_internal=False)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
    )


def service_request_get(*, request_id: int) -> ServiceRequest:
    """Return one of the partner's requests with the conversation its staff may read."""
    service_request = (
        ServiceRequest.objects.select_related(
            "partner", "customer", "order", "purchase", "filed_by"
        )
        .prefetch_related(
            Prefetch("notes", queryset=_partner_visible_notes()),
            Prefetch(
                "attachments",
                queryset=Attachment.objects.filter(note__isnull=True).order_by("id"),
                to_attr="filed_attachments",
            ),
        )
        .filter(pk=request_id)
        .first()
    )
    if service_request is None:
        raise NotFound(_("Support request not found."))
    return service_request


def service_request_exists(*, request_id: int) -> bool:
    """Tell whether the partner has a request with this id."""
    return ServiceRequest.objects.filter(pk=request_id).exists()


def attachment_get(*, request_id: int, attachment_id: int) -> Attachment:
    """Return a file of one of the partner's requests; internal notes' files are not theirs."""
    attachment = (
        Attachment.objects.filter(service_request_id=request_id, pk=attachment_id)
        .filter(Q(note__isnull=True) | Q(note__is_internal=False))
        .first()
    )
    if attachment is None:
        raise NotFound(_("File not found."))
    return attachment


def customer_find(*, reference: str) -> Customer | None:
    """Return the partner's customer with this tenant GUID or primary domain."""
    reference = reference.strip()
    try:
        return Customer.objects.filter(entra_tenant_id=uuid.UUID(reference)).first()
    except ValueError:
        return Customer.objects.filter(primary_domain__iexact=reference).first()


def order_find(*, customer: Customer, reference: str) -> Order | None:
    """Return the customer's order with this id (a UUID) or order number (its alternate id)."""
    reference = reference.strip()
    orders = Order.objects.filter(customer=customer)
    try:
        return orders.filter(pk=uuid.UUID(reference)).first()
    except ValueError:
        return orders.filter(alternate_id=reference.upper()).first()


def purchase_find(*, customer: Customer, reference: str) -> Purchase | None:
    """Return the customer's purchase (subscription) with this id, as the Software page shows it."""
    reference = reference.strip()
    if not (reference.isascii() and reference.isdigit()):
        return None
    return (
        Purchase.objects.filter(customer=customer, pk=int(reference))
        .select_related("order")
        .first()
    )


@dataclass(frozen=True)
class RefundTarget:
    """What a request is about, found among the partner's own customers and orders."""

    customer: Customer | None = None
    order: Order | None = None
    purchase: Purchase | None = None


def refund_target_find(*, draft: ServiceRequestDraft, problems: Problems) -> RefundTarget:
    """Return the customer, order and purchase the draft names; what is missing is a problem."""
    customer = order = purchase = None
    if draft.customer.strip() and "customer" not in problems:
        customer = customer_find(reference=draft.customer)
        if customer is None:
            problems.add("customer", _("None of your customers has this tenant GUID or domain."))
    elif draft.order.strip() or draft.subscription.strip():
        problems.add("customer", _("Enter the customer whose order this is."))
    if customer is None:
        return RefundTarget()
    if draft.order.strip():
        order = order_find(customer=customer, reference=draft.order)
        if order is None:
            # Another partner's order is unknown here too: the scoped query cannot see it.
            problems.add("order", _("This customer has no order with this id or order number."))
    if draft.subscription.strip():
        purchase = purchase_find(customer=customer, reference=draft.subscription)
        if purchase is None:
            problems.add("subscription", _("This customer has no subscription with this id."))
        elif order is not None and purchase.order_id != order.pk:
            problems.add("subscription", _("This subscription is not part of that order."))
        elif not draft.order.strip():
            order = purchase.order
    if purchase is None and order is not None and draft.product.strip():
        # The cancellation dialog names the product: the order's line of that product, if one.
        lines = [line for line in order.lines.all() if line.product_title == draft.product.strip()]
        purchase = lines[0] if len(lines) == 1 else None
    return RefundTarget(customer=customer, order=order, purchase=purchase)


def refund_target_refundable(*, draft: ServiceRequestDraft) -> Refundable | None:
    """Return what remains refundable of the order or purchase the draft names, if it names one."""
    problems = Problems()
    target = refund_target_find(draft=draft, problems=problems)
    if problems or target.order is None:
        return None
    return refundable_get(order=target.order, purchase=target.purchase)
