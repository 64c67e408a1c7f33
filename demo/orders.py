"""Demo customers in several markets, with orders whose ages show every cancellation case and a
year of spend."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from catalog.models import Availability
from core.roles import Role
from core.tenancy import partner_scope
from customers.models import Customer
from demo.partners import DEMO_PARTNERS
from orders.models import Order
from orders.quotes import LineRequest
from orders.services.placing import order_place
from partners.models import Partner, User

# Stable tenant GUIDs, so a re-run finds the same customers.
_DEMO_NAMESPACE = uuid.UUID("6f1d2a8e-3c4b-4e59-9a7d-0b1c2d3e4f50")


@dataclass(frozen=True)
class DemoCustomer:
    key: str
    company_name: str
    domain: str
    country: str
    city: str
    postal_code: str
    # (days ago, product id, SKU id, quantity)
    orders: tuple[tuple[int, str, str, int], ...] = ()


WS_STANDARD, WS_DATACENTER = "DG7GMGF0DVT0", "DG7GMGF0DVSZ"
WS_STANDARD_SUB, SQL_STANDARD, SQL_STANDARD_SUB = "DG7GMGF0D65N", "DG7GMGF0FLR2", "DG7GMGF0FMH4"
RESERVED_VM, SUSE_PLAN = "DZH318Z0BQ4L", "DZH318Z0BQ3T"

DEMO_CUSTOMERS = (
    DemoCustomer(
        "it",
        "Contoso Italia S.p.A.",
        "contosoitalia.onmicrosoft.com",
        "IT",
        "Milano",
        "20121",
        (
            (3, WS_STANDARD, "0001", 1),
            (45, SQL_STANDARD_SUB, "0001", 2),
            (75, WS_DATACENTER, "0001", 1),
            (10, SUSE_PLAN, "0001", 4),
            (20, RESERVED_VM, "0001", 2),
            (5, WS_STANDARD_SUB, "0002", 1),
            (150, SQL_STANDARD, "0001", 1),
            (280, WS_DATACENTER, "0001", 1),
        ),
    ),
    DemoCustomer(
        "de",
        "Wingtip Toys GmbH",
        "wingtiptoys.onmicrosoft.com",
        "DE",
        "Berlin",
        "10115",
        ((30, SQL_STANDARD, "0001", 1), (120, WS_STANDARD, "0001", 2)),
    ),
    DemoCustomer(
        "us",
        "Tailspin Toys Inc.",
        "tailspintoys.onmicrosoft.com",
        "US",
        "Seattle",
        "98101",
        ((12, WS_STANDARD_SUB, "0001", 3), (200, SQL_STANDARD, "0001", 1)),
    ),
    DemoCustomer(
        "au",
        "Adventure Works Pty Ltd",
        "adventureworksau.onmicrosoft.com",
        "AU",
        "Sydney",
        "2000",
        (
            (3, WS_STANDARD_SUB, "0002", 1),
            (75, SQL_STANDARD, "0001", 1),
            (160, WS_DATACENTER, "0001", 1),
        ),
    ),
    DemoCustomer(
        "br",
        "Fourth Coffee Ltda",
        "fourthcoffeebr.onmicrosoft.com",
        "BR",
        "São Paulo",
        "01310-100",
        ((8, WS_DATACENTER, "0001", 1),),
    ),
    DemoCustomer(
        "gl", "Arctic Char Fisheries A/S", "arcticchar.onmicrosoft.com", "GL", "Nuuk", "3900"
    ),
)


def demo_buyer(partner: Partner) -> User | None:
    """The partner's first Admin agent, who places and cancels the demo orders."""
    candidates = User.objects.filter(partner=partner, is_active=True).order_by("id")
    return next((u for u in candidates if u.has_role(Role.ADMIN_AGENT)), None)


def demo_customer(partner: Partner, spec: DemoCustomer) -> Customer:
    """The partner's customer of the spec, created the first time."""
    tenant_id = uuid.uuid5(_DEMO_NAMESPACE, f"{partner.partner_number}:{spec.key}")
    customer = Customer.objects.filter(entra_tenant_id=tenant_id).first()
    if customer is None:
        customer = Customer(
            partner=partner,
            entra_tenant_id=tenant_id,
            company_name=spec.company_name,
            primary_domain=spec.domain,
            country=spec.country,
            contact_name="IT Department",
            contact_email=f"it@{spec.key}.{partner.pk}.example",
            address_line1="1 Demo Street",
            city=spec.city,
            postal_code=spec.postal_code,
        )
        customer.save(force_insert=True)
    return customer


def demo_offer(product_id: str, sku_id: str, country: str) -> str | None:
    """The catalogItemId of the SKU in the market, if it is sold there."""
    availability = (
        Availability.objects.select_related("sku__product")
        .filter(sku__product__product_id=product_id, sku__sku_id=sku_id, market_id=country)
        .first()
    )
    return availability.catalog_item_id if availability else None


@transaction.atomic
def demo_orders_seed() -> dict[str, int]:
    """Create the demo customers and, for those without orders yet, their aged orders."""
    customers = orders = 0
    now = timezone.now()
    for spec in DEMO_PARTNERS:
        partner = Partner.objects.get(partner_number=spec.partner_number)
        buyer = demo_buyer(partner)
        with partner_scope(partner):
            for demo in DEMO_CUSTOMERS:
                customer = demo_customer(partner, demo)
                customers += 1
                if Order.objects.filter(customer=customer).exists():
                    continue
                for days_ago, product_id, sku_id, quantity in demo.orders:
                    offer = demo_offer(product_id, sku_id, demo.country)
                    if offer is None:
                        continue
                    order_place(
                        partner=partner,
                        actor=buyer,
                        customer=customer,
                        lines=[LineRequest(offer_id=offer, quantity=quantity)],
                        at=now - timedelta(days=days_ago, hours=2),
                    )
                    orders += 1
    return {"customers": customers, "orders": orders}
