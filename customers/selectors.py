"""Reads on customers; another partner's customer is indistinguishable from a missing one."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.errors import NotFound

from .models import Customer


def customer_list(*, search: str = "") -> QuerySet[Customer]:
    return Customer.objects.matching(search).order_by("company_name", "id")


def customer_get(*, customer_id: uuid.UUID | str) -> Customer:
    """The current partner's customer with this tenant GUID."""
    try:
        tenant_id = customer_id if isinstance(customer_id, uuid.UUID) else uuid.UUID(customer_id)
    except (ValueError, AttributeError, TypeError) as exc:
        raise NotFound(_("Customer not found.")) from exc
    customer = Customer.objects.filter(entra_tenant_id=tenant_id).first()
    if customer is None:
        raise NotFound(_("Customer not found."))
    return customer
