"""Each service that makes a change writes its webhook event in the change's own transaction:
rolled back together, and shaped like the API's resource."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from catalog.services import software_variant_store
from core.roles import Role
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from invoices.tests.factories import invoice_for
from orders.services.cancellation import purchase_cancel, purchase_cancellation_complete
from orders.tests.factories import order_for
from software.services import keys_and_downloads_issue
from support import services as support_services
from support.tests.factories import ServiceRequestFactory, as_support
from webhooks.models import Delivery, EventType
from webhooks.tests.factories import EndpointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribed(owner_partner):
    return EndpointFactory(partner=owner_partner)


@pytest.fixture
def customer(owner_partner):
    return CustomerFactory(partner=owner_partner, country="IT", company_name="Contoso Italia")


def _events(partner) -> list[tuple[str, dict]]:
    with partner_scope(partner):
        return [(d.event_type, d.payload) for d in Delivery.objects.order_by("pk")]


def test_a_cancellation_requested_and_completed_tells_of_each_step_and_the_credit(
    subscribed, customer, owner_partner, role_users, settings
):
    settings.CANCELLATION_PROPAGATION_DELAY_SECONDS = 0
    purchase = order_for(customer).lines.model.objects.all_partners().get()
    with partner_scope(owner_partner):
        purchase_cancel(partner=owner_partner, actor=role_users[Role.ADMIN_AGENT],
                        purchase_id=purchase.pk, acknowledged=True,
                        at=timezone.now() - timedelta(minutes=1))
        purchase_cancellation_complete(purchase_id=purchase.pk)
    events = _events(owner_partner)
    assert [t for t, _ in events] == [
        EventType.ORDER_CREATED, EventType.PURCHASE_CANCELLATION_REQUESTED,
        EventType.CREDIT_BOOKED, EventType.PURCHASE_CANCELLED,
    ]
    requested, credit, cancelled = (payload["data"] for _t, payload in events[1:])
    assert requested["lineItems"][0]["status"] == "pendingCancellation"
    assert requested["lineItemNumber"] == purchase.line_number
    assert cancelled["lineItems"][0]["status"] == "cancelled"
    assert (credit["orderId"], credit["currencyCode"]) == (str(purchase.order_id), "EUR")
    assert Decimal(credit["total"]) > 0


def test_an_issued_download_link_is_told_without_the_link_itself(
    subscribed, customer, owner_partner, global_admin, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    order = order_for(customer, issues_keys=True, title="Windows Server 2022 Standard")
    purchase = order.lines.model.objects.all_partners().get()
    variant = software_variant_store(
        product=purchase.product, version="2022", language="en-US", file_type="ISO (x64)",
        filename="ws.iso", content=b"iso" * 100,
    )
    with partner_scope(owner_partner):
        issued = keys_and_downloads_issue(
            partner=owner_partner, actor=global_admin, purchase_id=purchase.pk,
            version="2022", language="en-US", file_type="ISO (x64)",
            base_url="http://testserver",
        )
    (event_type, payload) = _events(owner_partner)[-1]
    assert event_type == EventType.DOWNLOAD_LINK_ISSUED
    assert payload["data"]["variant"] == {
        "version": variant.version, "language": "en-US", "fileType": "ISO (x64)"
    }
    token = issued.download.uri.rsplit("/", 2)[-2]
    assert token not in str(payload), "the link's token never leaves in a webhook"


def test_an_invoice_issued_is_told_as_the_api_shapes_it(subscribed, customer, owner_partner):
    invoice = invoice_for(customer)
    (event_type, payload) = _events(owner_partner)[-1]
    assert event_type == EventType.INVOICE_ISSUED
    assert payload["data"]["id"] == invoice.number
    assert payload["data"]["links"]["self"]["uri"] == f"/v1/invoices/{invoice.number}"


def test_a_support_status_change_is_told_without_the_conversation(
    subscribed, customer, owner_partner, support_user
):
    service_request = ServiceRequestFactory(partner=owner_partner, customer=customer)
    as_support(support_user, service_request, support_services.service_request_assign)
    (event_type, payload) = _events(owner_partner)[-1]
    assert event_type == EventType.SERVICE_REQUEST_STATUS_CHANGED
    assert payload["data"]["status"] == "in_progress" and "notes" not in payload["data"]


def test_a_change_rolled_back_leaves_no_event(subscribed, customer, owner_partner):
    with pytest.raises(RuntimeError), transaction.atomic():
        order_for(customer)
        raise RuntimeError("the change fails after the order was written")
    assert _events(owner_partner) == []


def test_a_change_with_no_subscriber_reads_no_endpoint_row_once_the_list_is_cached(
    customer, owner_partner
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    order_for(customer)
    with CaptureQueriesContext(connection) as queries:
        order_for(customer)
    assert not [q for q in queries.captured_queries if "webhooks_endpoint" in q["sql"]]
    assert _events(owner_partner) == []


def test_an_endpoint_registered_or_removed_counts_from_the_next_change(
    customer, owner_partner, outsider_partner
):
    order_for(customer)  # the partner's list of endpoints, empty, is now cached
    EndpointFactory(partner=outsider_partner)
    endpoint = EndpointFactory(partner=owner_partner)
    order_for(customer)
    assert [event for event, _data in _events(owner_partner)] == [EventType.ORDER_CREATED]
    with partner_scope(owner_partner):
        endpoint.event_types = [EventType.INVOICE_ISSUED]
        endpoint.save()
    order_for(customer)
    assert len(_events(owner_partner)) == 1
    with partner_scope(outsider_partner):
        assert not Delivery.objects.exists()
