"""Writes on customers: one function, one transaction, one activity event."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.core.validators import DomainNameValidator, validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from activity.models import OperationType, ResourceType
from activity.services import event_record
from core.errors import Conflict, PortalError

from .models import Customer
from .selectors import customer_get


@dataclass(frozen=True)
class CustomerProfile:
    company_name: str
    primary_domain: str
    country: str
    contact_email: str
    address_line1: str
    city: str
    postal_code: str
    contact_name: str = ""
    contact_phone: str = ""
    address_line2: str = ""
    region: str = ""


def _clean_profile(profile: CustomerProfile) -> dict:
    data = {key: str(value).strip() for key, value in asdict(profile).items()}
    data["primary_domain"] = data["primary_domain"].lower().rstrip(".")
    data["country"] = data["country"].upper()
    for field in (
        "company_name",
        "primary_domain",
        "country",
        "contact_email",
        "address_line1",
        "city",
        "postal_code",
    ):
        if not data[field]:
            raise PortalError(_("This field is required."), code="required", field=field)
    try:
        DomainNameValidator(accept_idna=False)(data["primary_domain"])
    except ValidationError as exc:
        raise PortalError(
            _("Enter a valid domain name, for example contoso.onmicrosoft.com."),
            code="invalid_domain",
            field="primary_domain",
        ) from exc
    if data["country"] not in countries:
        raise PortalError(_("Unknown country code."), code="invalid_country", field="country")
    try:
        validate_email(data["contact_email"])
    except ValidationError as exc:
        raise PortalError(
            _("Enter a valid e-mail address."), code="invalid_email", field="contact_email"
        ) from exc
    return data


def parse_tenant_id(value: str | uuid.UUID) -> uuid.UUID:
    """Read a tenant id as a GUID; refuse anything else with a message that shows one."""
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value).strip())
    except ValueError as exc:
        raise PortalError(
            _("Enter the tenant ID as a GUID, for example 0f4e3c1a-9b7d-4c2e-8a61-2d5f0b9e7c34."),
            code="invalid_tenant_id",
            field="entra_tenant_id",
        ) from exc


@transaction.atomic
def customer_create(
    *, partner, actor, entra_tenant_id: str | uuid.UUID, profile: CustomerProfile
) -> Customer:
    """Add a customer to the partner; its tenant GUID must be new to this partner."""
    tenant_id = parse_tenant_id(entra_tenant_id)
    data = _clean_profile(profile)
    if Customer.objects.filter(entra_tenant_id=tenant_id).exists():
        raise _duplicate()
    try:
        with transaction.atomic():
            customer = Customer(partner=partner, entra_tenant_id=tenant_id, **data)
            customer.save(force_insert=True)
    except IntegrityError as exc:
        raise _duplicate() from exc
    event_record(
        partner=partner,
        actor=actor,
        operation=OperationType.CREATE_CUSTOMER,
        resource_type=ResourceType.CUSTOMER,
        customer=customer,
        object_id=str(tenant_id),
        details={"companyName": customer.company_name, "domain": customer.primary_domain},
    )
    return customer


def _duplicate() -> Conflict:
    return Conflict(
        _("You already have a customer with this tenant ID."),
        code="customer_exists",
        field="entra_tenant_id",
    )


@transaction.atomic
def customer_update(
    *, partner, actor, customer_id: uuid.UUID, profile: CustomerProfile
) -> Customer:
    """Change a customer's company profile (the tenant GUID never changes)."""
    customer = customer_get(customer_id=customer_id)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    data = _clean_profile(profile)
    changed = sorted(field for field, value in data.items() if getattr(customer, field) != value)
    for field, value in data.items():
        setattr(customer, field, value)
    customer.updated_at = timezone.now()
    customer.save()
    event_record(
        partner=partner,
        actor=actor,
        operation=OperationType.UPDATE_CUSTOMER,
        resource_type=ResourceType.CUSTOMER,
        customer=customer,
        object_id=str(customer.entra_tenant_id),
        details={"changedFields": changed},
    )
    return customer
