"""What `seed_demo` adds so that every dashboard panel has something to show on the day it runs:
a purchase whose cancellation window closes within the week, a download link running out, a
support request waiting on the partner and a credit waiting for the next invoice. Each is added
only when the partner has none yet, through the portal's own services, so a second run the same
day adds nothing and a run days later tops up what time has moved on."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from core.tenancy import partner_scope
from customers.models import Customer
from dashboard.selectors import CLOSING_WITHIN, LINK_DOWNLOADS_LEFT, LINK_EXPIRES_WITHIN
from demo.orders import (
    DEMO_CUSTOMERS,
    SQL_STANDARD_SUB,
    WS_STANDARD,
    demo_buyer,
    demo_customer,
    demo_offer,
)
from demo.partners import DEMO_PARTNERS, DEMO_SUPPORT_EMAIL
from invoices.drafts import unbilled_credits
from orders.models import Credit, Purchase
from orders.quotes import LineRequest
from orders.selectors import purchases_closing_between
from orders.services.cancellation import purchase_cancel, purchase_cancellation_complete
from orders.services.placing import order_place
from partners.models import Partner, User
from software.selectors import download_links_running_out
from software.services import keys_and_downloads_issue
from support.choices import Status, SupportTopic
from support.intake import ServiceRequestDraft
from support.models import ServiceRequest
from support.services import (
    service_request_assign,
    service_request_file,
    service_request_status_change,
)

# The customers the items are about: demo.orders' Italian and American ones.
_ITALIAN, _AMERICAN = (next(spec for spec in DEMO_CUSTOMERS if spec.key == key)
                       for key in ("it", "us"))
# Five days left of the 60-day window.
_CLOSING_AGE = timedelta(days=55)
# Issued twelve days ago, the link has two of its fourteen days left.
_LINK_AGE = timedelta(days=12)


@transaction.atomic
def demo_attention_seed() -> dict[str, int]:
    """Give each demo partner one item for each dashboard panel that has none; return counts."""
    added = {"closing": 0, "links": 0, "requests": 0, "credits": 0}
    now = timezone.now()
    support = User.objects.get(email=DEMO_SUPPORT_EMAIL)
    for spec in DEMO_PARTNERS:
        partner = Partner.objects.get(partner_number=spec.partner_number)
        agent = demo_buyer(partner)
        with partner_scope(partner):
            added["closing"] += _closing_purchase(partner=partner, agent=agent, at=now)
            added["links"] += _link_running_out(partner=partner, agent=agent, at=now)
            added["requests"] += _request_waiting(partner=partner, agent=agent,
                                                  support=support)
            added["credits"] += _credit_waiting(partner=partner, agent=agent, at=now)
    return added


def _place(*, partner, agent, customer: Customer, product_id: str, sku_id: str, at) -> Purchase:
    order = order_place(
        partner=partner, actor=agent, customer=customer, at=at,
        lines=[LineRequest(offer_id=demo_offer(product_id, sku_id, customer.country.code),
                           quantity=1)],
    )
    return order.lines.get()


def _closing_purchase(*, partner, agent, at) -> int:
    if purchases_closing_between(start=at, end=at + CLOSING_WITHIN).exists():
        return 0
    _place(partner=partner, agent=agent, customer=demo_customer(partner, _ITALIAN),
           product_id=WS_STANDARD, sku_id="0001", at=at - _CLOSING_AGE)
    return 1


def _link_running_out(*, partner, agent, at) -> int:
    if download_links_running_out(
        at=at, expire_within=LINK_EXPIRES_WITHIN, downloads_left=LINK_DOWNLOADS_LEFT
    ).exists():
        return 0
    issued_at = at - _LINK_AGE
    purchase = _place(partner=partner, agent=agent, customer=demo_customer(partner, _ITALIAN),
                      product_id=SQL_STANDARD_SUB, sku_id="0001",
                      at=issued_at - timedelta(days=1))
    variant = purchase.product.variants.order_by("-version", "language", "file_type").first()
    keys_and_downloads_issue(
        partner=partner, actor=agent, purchase_id=purchase.pk, version=variant.version,
        language=variant.language, file_type=variant.file_type,
        base_url="http://127.0.0.1:8000/", at=issued_at,
    )
    return 1


def _request_waiting(*, partner, agent, support) -> int:
    if ServiceRequest.objects.filter(status=Status.WAITING_ON_PARTNER).exists():
        return 0
    customer = demo_customer(partner, _ITALIAN)
    request = service_request_file(partner=partner, actor=agent, draft=ServiceRequestDraft(
        topic=SupportTopic.BILLING_QUESTION, impact="medium",
        title="Which invoice charges the SQL Server subscription?",
        description="We cannot find the charge for Contoso's SQL Server subscription.",
        customer=str(customer.entra_tenant_id), contact_name=agent.full_name or agent.email,
        contact_email=agent.email, contact_phone="+39 02 1234 5678",
    ))
    service_request_assign(partner=partner, actor=support, request_id=request.pk)
    service_request_status_change(
        partner=partner, actor=support, request_id=request.pk,
        status=Status.WAITING_ON_PARTNER,
        note="Please send us the order number, from the customer's Order history.",
    )
    return 1


def _credit_waiting(*, partner, agent, at) -> int:
    if unbilled_credits(Credit.objects.all()).exists():
        return 0
    purchase = _place(partner=partner, agent=agent, customer=demo_customer(partner, _AMERICAN),
                      product_id=WS_STANDARD, sku_id="0001", at=at - timedelta(days=2))
    # Asked an hour ago, so the propagation delay (15 minutes in production) has passed and it
    # completes now; with a longer one the worker completes it when it is due.
    purchase_cancel(partner=partner, actor=agent, purchase_id=purchase.pk, acknowledged=True,
                    at=at - timedelta(hours=1))
    return int(purchase_cancellation_complete(purchase_id=purchase.pk, at=at))
