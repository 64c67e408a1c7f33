"""The partner the API fuzzer acts for, and what it knows about its objects.

The demo catalogue, customers in six markets with aged orders (some still cancellable, some past
their window, some never cancellable), carts of the Italian customer, keys, issued invoices, a
support request with a file, and a user holding every partner role with a personal token.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from catalog.models import Availability, Product, Sku
from core.roles import Role
from core.tenancy import partner_scope
from customers.models import Customer
from demo.catalog import DEMO_FILE_TYPES, DEMO_LANGUAGES, DEMO_VERSIONS, demo_catalog_seed
from demo.orders import WS_STANDARD, WS_STANDARD_SUB, demo_orders_seed
from demo.partners import DEMO_PARTNERS, demo_partners_seed
from invoices.models import Invoice
from invoices.periods import Month
from invoices.sweeps import invoices_close
from orders.models import Order, Purchase, PurchaseStatus
from orders.services.carts import cart_create
from partners.models import Partner
from partners.services import api_token_issue
from partners.tests.factories import UserFactory, totp_enrol
from support.tests.factories import file_request, refund_draft, upload
from webhooks.tests.factories import DeliveryFactory, EndpointFactory

# Tenant GUIDs for the customers the fuzzer may add: the same on every run.
_NEW_TENANTS = uuid.UUID("0b7e4f4e-52a4-4f7e-9a53-3f1f6c0f2d10")


@dataclass
class FuzzWorld:
    token: str
    # Existing ids and accepted values, by the name the fuzzer's dictionaries know them by.
    values: dict[str, list] = field(default_factory=dict)
    # Per operation label, parts of requests that go together and that the portal accepts
    # (a customer with its own order, a valid body): laid over some generated requests.
    valid_parts: dict[str, list[dict]] = field(default_factory=dict)
    # One id per path parameter, of objects that belong together (the Italian customer, its
    # cancellable order, its key-bearing purchase): the example every other variation keeps.
    path_examples: dict[str, str | int] = field(default_factory=dict)


FUZZ_WEBHOOK_URL = "https://93.184.215.14/portal-hooks"


def fuzz_world_seed() -> FuzzWorld:
    """Seed the demo partners' data and a user with every role; say what the fuzzer may use."""
    demo_partners_seed()
    demo_catalog_seed()
    demo_orders_seed()
    now = timezone.now()
    invoices_close(month=Month.before(now), at=now)
    partner = Partner.objects.get(partner_number=DEMO_PARTNERS[0].partner_number)
    user = UserFactory(
        partner=partner, roles=[role.value for role in Role], email="fuzz@northwind.example"
    )
    totp_enrol(user)
    with partner_scope(partner):
        customers = list(Customer.objects.order_by("company_name"))
        orders = list(Order.objects.select_related("customer").order_by("placed_at"))
        lines = list(Purchase.objects.select_related("customer", "product").order_by("id"))
        recent = orders[-1]
        assert recent.placed_at > now - timedelta(days=7), "no order is still cancellable"
        service_request = file_request(
            user,
            refund_draft(recent.customer, recent),
            files=[upload("confirmation.txt", b"Order confirmation\n", "text/plain")],
        )
        attachment = service_request.attachments.get()
        invoices = list(Invoice.objects.order_by("number").values_list("number", flat=True))
        _token, clear = api_token_issue(actor=user, name="fuzz")
        offer = Availability.objects.get(
            sku__product__product_id=WS_STANDARD, sku__term="", market_id="IT"
        ).catalog_item_id
    # A literal public address: registering it needs no DNS, and no worker runs to send to it.
    delivery = DeliveryFactory(endpoint=EndpointFactory(partner=partner, url=FUZZ_WEBHOOK_URL))
    assert invoices, "no invoice was issued"
    italian = next(c for c in customers if c.country.code == "IT")
    cancellable = next(o for o in reversed(orders) if o.customer == italian)
    with partner_scope(partner):
        carts = [
            cart_create(
                partner=partner, actor=user, customer=italian,
                lines=[{"id": 0, "catalogItemId": offer, "quantity": 1, "termDuration": None}],
            )
            for _ in range(3)
        ]
    with_keys = next(
        line
        for line in lines
        if line.customer == italian
        and line.status == PurchaseStatus.ACTIVE
        and line.product.issues_keys
    )
    return FuzzWorld(
        token=clear,
        values={
            "customer_id": [str(c.entra_tenant_id) for c in customers],
            "order_id": [str(o.id) for o in orders],
            "entitlement_id": [str(line.pk) for line in lines],
            "invoice_id": invoices,
            "cart_id": [str(cart.id) for cart in carts],
            "request_id": [service_request.pk],
            "attachment_id": [attachment.pk],
            "user_id": [user.pk],
            "endpoint_id": [delivery.endpoint_id],
            "delivery_id": [delivery.pk],
            "product_id": list(
                Product.objects.order_by("product_id").values_list("product_id", flat=True)
            ),
            "sku_id": sorted(set(Sku.objects.values_list("sku_id", flat=True))),
            "country": sorted({c.country.code for c in customers}),
            "version": sorted({v for versions in DEMO_VERSIONS.values() for v in versions}),
            "language": list(DEMO_LANGUAGES),
            "file_type": sorted({t for types in DEMO_FILE_TYPES.values() for t, _ in types}),
        },
        path_examples={
            "customer_id": str(italian.entra_tenant_id),
            "order_id": str(cancellable.id),
            "entitlement_id": str(with_keys.pk),
            "invoice_id": invoices[0],
            "cart_id": str(carts[0].id),
            "request_id": service_request.pk,
            "attachment_id": attachment.pk,
            "user_id": user.pk,
            "endpoint_id": delivery.endpoint_id,
            "delivery_id": delivery.pk,
            "product_id": WS_STANDARD,
            "sku_id": "0001",
        },
        valid_parts={
            "POST /v1/customers": [_new_customer(n) for n in range(3)],
            "POST /v1/customers/{customer_id}/orders": [
                _order_of(italian, WS_STANDARD, term=""),
                _order_of(italian, WS_STANDARD_SUB, term="P1Y"),
            ],
            "POST /v1/customers/{customer_id}/carts": [
                {**_path(customer_id=italian.entra_tenant_id),
                 "body": {"lineItems": [{"catalogItemId": offer, "quantity": 1}]}}
            ],
            "PUT /v1/customers/{customer_id}/carts/{cart_id}": [
                {**_path(customer_id=italian.entra_tenant_id, cart_id=cart.id),
                 "body": {"lineItems": [{"id": 0, "catalogItemId": offer, "quantity": 2}]}}
                for cart in carts
            ],
            "POST /v1/customers/{customer_id}/carts/{cart_id}/checkout": [
                _path(customer_id=italian.entra_tenant_id, cart_id=cart.id) for cart in carts
            ],
            "GET /v1/customers/{customer_id}/orders/{order_id}": [
                _path(customer_id=o.customer.entra_tenant_id, order_id=o.id) for o in orders
            ],
            "PATCH /v1/customers/{customer_id}/orders/{order_id}": [
                {
                    **_path(customer_id=o.customer.entra_tenant_id, order_id=o.id),
                    "body": {"status": "cancelled"},
                }
                for o in orders
            ],
            "POST /v1/customers/{customer_id}/entitlements/{entitlement_id}/keysanddownloads": [
                {
                    **_path(customer_id=line.customer.entra_tenant_id, entitlement_id=line.pk),
                    "body": {"version": "2022", "language": "en-US", "fileType": "ISO (x64)"},
                }
                for line in lines
                if line.status == PurchaseStatus.ACTIVE and line.product.issues_keys
            ],
            "POST /v1/servicerequests": [_technical_problem()],
            "PATCH /v1/servicerequests/{request_id}": [
                {**_path(request_id=service_request.pk), "body": {"newNote": {"text": "News?"}}}
            ],
            "GET /v1/servicerequests/{request_id}/files/{attachment_id}": [
                _path(request_id=service_request.pk, attachment_id=attachment.pk)
            ],
        },
    )


def _path(**values) -> dict:
    return {"path_parameters": {name: str(value) for name, value in values.items()}}


def _new_customer(number: int) -> dict:
    tenant_id = uuid.uuid5(_NEW_TENANTS, str(number))
    return {
        "body": {
            "companyProfile": {
                "tenantId": str(tenant_id),
                "domain": f"fuzz{number}.onmicrosoft.com",
                "companyName": f"Fuzz Customer {number} S.r.l.",
                "email": f"it@fuzz{number}.example",
                "address": {
                    "country": "IT",
                    "city": "Torino",
                    "postalCode": "10121",
                    "addressLine1": "Via Po 1",
                },
            }
        }
    }


def _order_of(customer, product_id: str, *, term: str) -> dict:
    availability = Availability.objects.select_related("sku__product").get(
        sku__product__product_id=product_id, sku__term=term, market_id=customer.country.code
    )
    line = {"lineItemNumber": 0, "offerId": availability.catalog_item_id, "quantity": 1}
    if term:
        line["termDuration"] = term
    return {**_path(customer_id=customer.entra_tenant_id), "body": {"lineItems": [line]}}


def _technical_problem() -> dict:
    return {
        "body": {
            "supportTopic": "technical_problem",
            "impact": "medium",
            "title": "Download link does not open",
            "description": "The link in the e-mail answers 410.",
            "contact": {
                "name": "Maria Rossi",
                "email": "maria.rossi@northwind.example",
                "phone": "+39 02 1234 5678",
            },
        }
    }
