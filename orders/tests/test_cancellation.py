"""Cancelling a purchase: the window, the dialog, revocation, credits, exactly once."""

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from activity.models import Event, OperationType
from catalog.models import Billing, ProductFamily, Term
from core.errors import PortalError
from core.roles import Role
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from orders.models import Credit, Order, OrderStatus, Purchase, PurchaseStatus
from orders.policy import purchase_cancellation
from orders.services.cancellation import purchase_cancel, purchase_cancellation_complete
from orders.sweeps import cancellations_reconcile
from orders.tests.factories import order_for
from software.services import keys_and_downloads_issue

BOUGHT = datetime(2025, 3, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _owner_scope(owner_partner):
    with partner_scope(owner_partner):
        yield


def _purchase(customer, **kwargs):
    return order_for(customer, **kwargs).lines.get()


def _facts(purchase, at):
    return purchase_cancellation(purchase=purchase, at=at)


def _cancel(purchase, actor, at):
    return purchase_cancel(
        partner=purchase.partner, actor=actor, purchase_id=purchase.pk, acknowledged=True, at=at
    )


@pytest.mark.parametrize(
    ("after", "allowed"),
    [
        (timedelta(days=59), True),
        (timedelta(days=60) - timedelta(seconds=1), True),
        (timedelta(days=60) + timedelta(seconds=1), False),
    ],
)
def test_the_60_day_window_counts_from_the_purchase_time(italian, after, allowed):
    purchase = _purchase(italian, at=BOUGHT)
    facts = _facts(purchase, BOUGHT + after)
    assert facts.allowed is allowed
    assert facts.allowed_until == BOUGHT + timedelta(days=60)
    if not allowed:
        assert facts.reason == "window_passed"


def test_a_suse_plan_is_never_cancellable(italian):
    plan = _purchase(
        italian,
        family=ProductFamily.SOFTWARE_PLAN,
        is_cancellable=False,
        title="SUSE Linux Enterprise Server plan",
    )
    facts = _facts(plan, plan.purchased_at + timedelta(days=1))
    assert (facts.allowed, facts.reason) == (False, "not_cancellable")


def test_reservation_refunds_over_the_cap_need_a_support_request(owner_partner, global_admin):
    american = CustomerFactory(partner=owner_partner, country="US", city="Seattle")
    first = _purchase(american, family=ProductFamily.AZURE_RESERVATION, unit_price=Decimal("30000"))
    second = _purchase(
        american, family=ProductFamily.AZURE_RESERVATION, unit_price=Decimal("25000")
    )
    now = first.purchased_at + timedelta(days=1)
    assert _facts(first, now).allowed and _facts(second, now).allowed
    _cancel(first, global_admin, now)
    facts = _facts(second, now)
    assert (facts.allowed, facts.reason) == (False, "support_request_required")
    with pytest.raises(PortalError) as error:
        _cancel(second, global_admin, now)
    assert error.value.code == "support_request_required"


def _credit_after(purchase, days):
    facts = _facts(purchase, purchase.purchased_at + timedelta(days=days))
    return facts.credit.extended_amount, facts.credit.tax_amount, facts.credit.total


def test_worked_credits_in_euro_on_day_10(italian):
    perpetual = _purchase(italian, at=BOUGHT, unit_price=Decimal("1000.00"))
    one_year = _purchase(
        italian,
        at=BOUGHT,
        unit_price=Decimal("365.00"),
        family=ProductFamily.SERVER_SUBSCRIPTION,
        term=Term.ONE_YEAR,
        billing=Billing.SUBSCRIPTION,
    )
    three_years = _purchase(
        italian,
        at=BOUGHT,
        unit_price=Decimal("1096.00"),
        family=ProductFamily.SERVER_SUBSCRIPTION,
        term=Term.THREE_YEARS,
        billing=Billing.SUBSCRIPTION,
    )
    # 100% of a perpetual licence, VAT 22% credited as charged.
    assert _credit_after(perpetual, 10) == (
        Decimal("1000.00"),
        Decimal("220.00"),
        Decimal("1220.00"),
    )
    # 365-day term at 1.00 a day, 10 days used: 355 days back.
    assert _credit_after(one_year, 10) == (Decimal("355.00"), Decimal("78.10"), Decimal("433.10"))
    # 1 March 2025 to 1 March 2028 is 1096 days (29 February 2028 inside): 1086 back.
    assert _credit_after(three_years, 10) == (
        Decimal("1086.00"),
        Decimal("238.92"),
        Decimal("1324.92"),
    )


def test_worked_credit_in_a_tax_inclusive_market(owner_partner):
    australian = CustomerFactory(partner=owner_partner, country="AU", city="Sydney")
    one_year = _purchase(
        australian,
        at=BOUGHT,
        unit_price=Decimal("365.00"),
        family=ProductFamily.SERVER_SUBSCRIPTION,
        term=Term.ONE_YEAR,
        billing=Billing.SUBSCRIPTION,
    )
    # GST inside the price: 355.00 back, of which 355 × 10 / 110 = 32.27 is tax.
    assert _credit_after(one_year, 10) == (Decimal("355.00"), Decimal("32.27"), Decimal("355.00"))


def test_a_credit_never_exceeds_the_charge(italian):
    one_year = _purchase(
        italian,
        at=BOUGHT,
        unit_price=Decimal("100.00"),
        family=ProductFamily.SERVER_SUBSCRIPTION,
        term=Term.ONE_YEAR,
        billing=Billing.SUBSCRIPTION,
    )
    extended, tax, total = _credit_after(one_year, 0)
    assert (extended, tax, total) == (one_year.extended_price, one_year.tax_amount, one_year.total)


def test_submitting_makes_it_pending_and_revokes_at_once(italian, global_admin):
    purchase = _purchase(italian, issues_keys=True)
    _cancel(purchase, global_admin, purchase.purchased_at + timedelta(days=3))
    purchase.refresh_from_db()
    assert purchase.status == PurchaseStatus.PENDING_CANCELLATION
    with partner_scope(purchase.partner), pytest.raises(PortalError) as refused:
        keys_and_downloads_issue(
            partner=purchase.partner, actor=global_admin, purchase_id=purchase.pk,
            version="2022", language="en-US", file_type="ISO", base_url="http://testserver/",
        )
    assert refused.value.code == "purchase_cancelled", "its keys are revoked at once"
    [event] = Event.objects.filter(operation_type=OperationType.CANCEL_ORDER)
    assert event.customer == italian and event.details["creditPreview"] == "122.00"
    with pytest.raises(PortalError) as error:
        _cancel(purchase, global_admin, purchase.purchased_at + timedelta(days=3))
    assert error.value.code == "already_cancelled"


def test_the_acknowledgement_is_required(italian, global_admin):
    purchase = _purchase(italian)
    with pytest.raises(PortalError) as error:
        purchase_cancel(
            partner=italian.partner, actor=global_admin, purchase_id=purchase.pk, acknowledged=False
        )
    assert error.value.code == "acknowledgement_required"
    purchase.refresh_from_db()
    assert purchase.status == PurchaseStatus.ACTIVE


def test_completion_books_the_previewed_credit_once(italian, global_admin, settings):
    settings.CANCELLATION_PROPAGATION_DELAY_SECONDS = 900
    purchase = _purchase(
        italian,
        at=BOUGHT,
        unit_price=Decimal("365.00"),
        family=ProductFamily.SERVER_SUBSCRIPTION,
        term=Term.ONE_YEAR,
        billing=Billing.SUBSCRIPTION,
    )
    requested = BOUGHT + timedelta(days=10) - timedelta(minutes=5)
    preview = _facts(purchase, requested).credit_preview
    _cancel(purchase, global_admin, requested)
    assert not purchase_cancellation_complete(purchase_id=purchase.pk, at=requested), "not due"
    # Completed the next day: the credit is still the one previewed.
    done_at = requested + timedelta(days=1)
    assert purchase_cancellation_complete(purchase_id=purchase.pk, at=done_at)
    assert not purchase_cancellation_complete(purchase_id=purchase.pk, at=done_at)
    [credit] = Credit.objects.all()
    assert credit.total == preview == Decimal("433.10")
    purchase.refresh_from_db()
    assert (purchase.status, purchase.cancelled_at) == (PurchaseStatus.CANCELLED, done_at)
    assert Order.objects.get(pk=purchase.order_id).status == OrderStatus.CANCELLED
    operations = set(Event.objects.values_list("operation_type", flat=True))
    assert {OperationType.COMPLETE_CANCELLATION, OperationType.CREATE_CREDIT} <= operations


@pytest.mark.django_db(transaction=True)
def test_concurrent_completions_book_one_credit(owner_partner, settings):
    settings.CANCELLATION_PROPAGATION_DELAY_SECONDS = 0
    customer = CustomerFactory(partner=owner_partner, country="IT")
    purchase = _purchase(customer)
    _cancel(purchase, None, purchase.purchased_at)
    start = threading.Barrier(4)
    results = []

    def complete():
        start.wait()
        try:
            with partner_scope(owner_partner):
                results.append(purchase_cancellation_complete(purchase_id=purchase.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=complete) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]
    assert Credit.objects.all_partners().count() == 1


def test_a_crash_inside_completion_leaves_it_for_the_reconciler(
    italian, global_admin, monkeypatch, settings
):
    settings.CANCELLATION_PROPAGATION_DELAY_SECONDS = 0
    purchase = _purchase(italian)
    at = purchase.purchased_at + timedelta(days=1)
    _cancel(purchase, global_admin, at)

    def crash(*args, **kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr("orders.services.cancellation._order_status_refresh", crash)
    with pytest.raises(SystemExit):
        purchase_cancellation_complete(purchase_id=purchase.pk, at=at)
    monkeypatch.undo()
    purchase.refresh_from_db()
    assert purchase.status == PurchaseStatus.PENDING_CANCELLATION
    assert not Credit.objects.exists()
    assert cancellations_reconcile(at=at) == 1
    assert Credit.objects.count() == 1
    assert cancellations_reconcile(at=at) == 0


def _software_url(customer, purchase):
    return f"/customers/{customer.entra_tenant_id}/software/{purchase.pk}/cancel/"


def test_the_dialog_shows_days_credit_and_notice_then_confirms(italian, role_users, client_for):
    first = _purchase(italian, title="Windows Server 2022 Standard")
    client = client_for(role_users[Role.ADMIN_AGENT])
    dialog = client.get(_software_url(italian, first)).content.decode()
    assert "60 days remain to cancel this order." in dialog
    assert "€122.00" in dialog and "Important" in dialog
    response = client.post(_software_url(italian, first), {"purchase": first.pk})
    assert "Tick the box" in response.content.decode()
    first.refresh_from_db()
    assert first.status == PurchaseStatus.ACTIVE
    done = client.post(
        _software_url(italian, first), {"purchase": first.pk, "acknowledged": "on"}
    ).content.decode()
    assert "up to 15 minutes" in done
    first.refresh_from_db()
    assert first.status == PurchaseStatus.PENDING_CANCELLATION


def test_the_dialog_lists_the_products_orders_and_refuses_a_late_one(
    italian, role_users, client_for
):
    from catalog.tests.factories import priced_sku

    sku = priced_sku(countries=("IT",), title="SQL Server 2022 Standard")
    late = order_for(italian, sku=sku, at=BOUGHT).lines.get()
    recent = order_for(italian, sku=sku).lines.get()
    client = client_for(role_users[Role.ADMIN_AGENT])
    page = client.get(_software_url(italian, recent), {"order": late.pk}).content.decode()
    assert late.order.alternate_id in page and recent.order.alternate_id in page
    assert "cancellation window has passed" in page
    assert 'id="cancel-submit"' not in page


@pytest.mark.parametrize("role", [Role.GLOBAL_ADMIN, Role.SALES_AGENT])
def test_only_an_admin_agent_may_cancel(italian, role_users, client_for, api_client_for, role):
    purchase = _purchase(italian)
    user = role_users[role]
    assert (
        client_for(user)
        .post(_software_url(italian, purchase), {"purchase": purchase.pk, "acknowledged": "on"})
        .status_code
        == 403
    )
    api = api_client_for(user).patch(
        f"/v1/customers/{italian.entra_tenant_id}/orders/{purchase.order_id}",
        {"status": "cancelled"},
        format="json",
    )
    assert api.status_code == 403 and api.json()["code"] == "role_required"
    purchase.refresh_from_db()
    assert purchase.status == PurchaseStatus.ACTIVE


def test_the_api_cancels_with_202_and_refuses_with_codes(
    italian, role_users, api_client_for, settings
):
    settings.CANCELLATION_PROPAGATION_DELAY_SECONDS = 0
    client = api_client_for(role_users[Role.ADMIN_AGENT])
    purchase = _purchase(italian)
    url = f"/v1/customers/{italian.entra_tenant_id}/orders/{purchase.order_id}"
    accepted = client.patch(
        url, {"status": "cancelled", "lineItems": [{"lineItemNumber": 0}]}, format="json"
    )
    assert accepted.status_code == 202
    [line] = accepted.json()["lineItems"]
    assert line["status"] == "pendingCancellation"
    again = client.patch(url, {"status": "cancelled"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_cancelled"
    purchase_cancellation_complete(purchase_id=purchase.pk)
    body = client.get(url).json()
    assert body["status"] == "cancelled" and body["lineItems"][0]["quantity"] == 0
    late = _purchase(italian, at=BOUGHT)
    refused = client.patch(
        f"/v1/customers/{italian.entra_tenant_id}/orders/{late.order_id}",
        {"status": "cancelled"},
        format="json",
    )
    assert refused.json()["code"] == "cancellation_window_passed"
    plan = _purchase(italian, family=ProductFamily.SOFTWARE_PLAN, is_cancellable=False)
    refused = client.patch(
        f"/v1/customers/{italian.entra_tenant_id}/orders/{plan.order_id}",
        {"status": "cancelled"},
        format="json",
    )
    assert refused.json()["code"] == "not_cancellable"


def test_a_download_link_dies_the_moment_the_cancellation_is_submitted(
    italian, role_users, client_for, settings, tmp_path
):
    from catalog.services import software_variant_store

    settings.MEDIA_ROOT = tmp_path
    purchase = _purchase(italian, issues_keys=True)
    software_variant_store(
        product=purchase.product,
        version="1",
        language="en-US",
        file_type="ISO",
        filename="a.iso",
        content=b"x" * 100,
    )
    client = client_for(role_users[Role.ADMIN_AGENT])
    page = client.post(
        f"/customers/{italian.entra_tenant_id}/software/{purchase.pk}/keys-and-downloads/",
        {"version": "1", "language": "en-US", "file_type": "ISO"},
    ).content.decode()
    link = page.split('id="download-link" type="text" readonly value="')[1].split('"')[0]
    path = link.removeprefix("http://testserver")
    assert Client().get(path).status_code == 200
    client.post(_software_url(italian, purchase), {"purchase": purchase.pk, "acknowledged": "on"})
    assert Client().get(path).status_code == 410
    assert Purchase.objects.get(pk=purchase.pk).status == PurchaseStatus.PENDING_CANCELLATION
