"""Reads on customers; another partner's customer is indistinguishable from a missing one."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.cached_rows import cached_row_get
from core.errors import NotFound
from core.tenancy import require_partner

from .models import Customer

# Partner Center's customer filter fields, each a "starts with" on one column.
FILTER_FIELDS = {
    "CompanyName": "company_name__istartswith",
    "Domain": "primary_domain__istartswith",
    "TenantId": "entra_tenant_id",
}


def customer_list(*, search: str = "", field: str = "", value: str = "") -> QuerySet[Customer]:
    """Return the partner's customers found by the search box, or by one filter field's value."""
    customers = Customer.objects.matching(search)
    if field:
        customers = customers.filter(**{FILTER_FIELDS[field]: value})
    return customers.order_by("company_name", "id")


def customer_copy_key(partner_id, tenant_id) -> str:
    """Return the cache key of the partner's customer's copy (customer_get)."""
    return f"portal:customer:{partner_id}:{tenant_id}"


def customer_version_key(partner_id, tenant_id) -> str:
    """Return the cache key of the version that stamps the customer's copy."""
    return f"portal:customer:version:{partner_id}:{tenant_id}"


def customer_get(*, customer_id: uuid.UUID | str) -> Customer:
    """Return the current partner's customer with this tenant GUID.

    From a copy in the cache while no save or delete of the customer has renewed its version
    (core.cached_rows; the receivers are in customers.signals).
    """
    try:
        tenant_id = customer_id if isinstance(customer_id, uuid.UUID) else uuid.UUID(customer_id)
    except (ValueError, AttributeError, TypeError) as exc:
        raise NotFound(_("Customer not found.")) from exc
    partner_id = require_partner().pk
    _version, customer = cached_row_get(
        copy_key=customer_copy_key(partner_id, tenant_id),
        version_key=customer_version_key(partner_id, tenant_id),
        load=lambda: Customer.objects.filter(entra_tenant_id=tenant_id).first(),
    )
    if customer is None:
        raise NotFound(_("Customer not found."))
    return customer
