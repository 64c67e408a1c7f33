"""The fixture world of the Partner Center conformance suite, one per test module.

Partner Center's samples name a customer in the US, its orders, the perpetual software and
Azure reservations it buys, an invoice and a support request; the world has each of those, with
the sample ids replaced by the world's. Built once per module and rolled back after it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from catalog.models import Availability, ProductFamily, Term
from core.roles import Role
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from demo.catalog import demo_catalog_seed
from demo.orders import WS_STANDARD
from invoices.models import Invoice
from invoices.tests.factories import invoice_for
from orders.models import Order
from orders.quotes import LineRequest
from orders.services.placing import order_place
from partners.models import User
from partners.services import api_token_issue
from partners.tests.factories import PartnerFactory, UserFactory
from support.models import ServiceRequest
from support.tests.factories import ServiceRequestFactory

# The headers Partner Center's request samples send (headers.md); MS-RequestId is new for
# every request, as Partner Center asks (the portal also takes it as the Idempotency-Key).
SAMPLE_HEADERS = {
    "HTTP_ACCEPT": "application/json",
    "HTTP_MS_CORRELATIONID": "8a53b025-d5be-4d98-ab20-229d1813de76",
    "HTTP_X_LOCALE": "en-US",
}


class SampleClient(APIClient):
    def generic(self, method, path, *args, **extra):
        extra.setdefault("HTTP_MS_REQUESTID", str(uuid.uuid4()))
        return super().generic(method, path, *args, **extra)


@dataclass
class World:
    user: User
    token: str
    customer_id: str
    perpetual: Availability
    reservation_1y: Availability
    reservation_3y: Availability
    order: Order
    invoice: Invoice
    service_request: ServiceRequest

    def client(self) -> APIClient:
        client = SampleClient(**SAMPLE_HEADERS)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {self.token}")
        return client


def _us(**filters) -> Availability:
    return (
        Availability.objects.select_related("sku__product")
        .filter(market_id="US", **filters)
        .order_by("availability_id")
        .first()
    )


def _build() -> World:
    demo_catalog_seed()
    partner = PartnerFactory()
    user = UserFactory(partner=partner, roles=[role.value for role in Role])
    customer = CustomerFactory(
        partner=partner, country="US", company_name="Contoso US", city="Redmond",
        region="WA", postal_code="98052", address_line1="One Microsoft Way",
    )
    perpetual = _us(sku__product__product_id=WS_STANDARD)
    reservations = {"sku__product__family": ProductFamily.AZURE_RESERVATION}
    with partner_scope(partner):
        _token, clear = api_token_issue(actor=user, name="partner-center-samples")
        order = order_place(
            partner=partner, actor=user, customer=customer,
            lines=[LineRequest(offer_id=perpetual.catalog_item_id, quantity=1)],
        )
        service_request = ServiceRequestFactory(partner=partner, filed_by=user, customer=customer)
    return World(
        user=user,
        token=clear,
        customer_id=str(customer.entra_tenant_id),
        perpetual=perpetual,
        reservation_1y=_us(sku__term=Term.ONE_YEAR, **reservations),
        reservation_3y=_us(sku__term=Term.THREE_YEARS, **reservations),
        order=order,
        invoice=invoice_for(customer),
        service_request=service_request,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build()
        transaction.set_rollback(True)


@pytest.fixture
def pc(world, db) -> APIClient:
    """A client sending what Partner Center's samples send, as the world's Global admin."""
    return world.client()
