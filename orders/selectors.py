"""Reads on orders and purchases, scoped to the current partner and one of its customers."""

from __future__ import annotations

import uuid

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from core.errors import NotFound

from .models import Order, OrderLine


def order_list(*, customer) -> QuerySet[Order]:
    """The customer's orders, newest first, with their lines (two queries a page)."""
    return (
        Order.objects.filter(customer=customer)
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("line_number")))
        .order_by("-placed_at", "-id")
    )


def order_get(*, customer, order_id: uuid.UUID | str) -> Order:
    try:
        order_uuid = order_id if isinstance(order_id, uuid.UUID) else uuid.UUID(str(order_id))
    except ValueError as exc:
        raise NotFound(_("Order not found.")) from exc
    order = order_list(customer=customer).filter(id=order_uuid).first()
    if order is None:
        raise NotFound(_("Order not found."))
    return order


def purchase_list(*, customer) -> QuerySet[OrderLine]:
    """Every software purchase of the customer, cancelled ones included, newest first."""
    return (
        OrderLine.objects.filter(customer=customer)
        .select_related("order")
        .order_by("-purchased_at", "-order_id", "line_number")
    )
