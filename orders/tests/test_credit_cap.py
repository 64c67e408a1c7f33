"""Attacks on "credits never exceed what was charged" (SPEC §9, Money) and on the reservation cap.

Each test tries one way of getting more back than was paid: cancel then refund, refund twice,
approve twice at once, cancel and approve at once, cancel two reservations at once, write a
credit row straight into the database, or reach another partner's order. The thread races need
PostgreSQL's row locks; the rest run on SQLite too.
"""

from __future__ import annotations

import contextlib
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from catalog.models import Billing, ProductFamily, Term
from catalog.tests.factories import priced_sku
from core.error_responses import status_of
from core.errors import PortalError
from core.roles import Role
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from orders.credit_sql import credit_rows
from orders.models import Credit, CreditKind, Purchase, PurchaseStatus
from orders.policy import purchase_cancellation
from orders.quotes import LineRequest
from orders.refundable import NotRefundable, refundable_get
from orders.services import cancellation
from orders.services.cancellation import purchase_cancel, purchase_cancellation_complete
from orders.services.placing import order_place
from orders.tests.factories import order_for
from support import services
from support.choices import Status
from support.intake import ServiceRequestInvalid
from support.models import ServiceRequest
from support.tests.factories import as_support, file_request, refund_draft

postgresql_only = pytest.mark.postgres_only(
    "a race between two connections needs PostgreSQL's row locks; SQLite has one writer"
)
EUR = Decimal


@pytest.fixture(autouse=True)
def _owner_scope(owner_partner):
    with partner_scope(owner_partner):
        yield


@pytest.fixture
def agent(role_users):
    return role_users[Role.ADMIN_AGENT]


def _purchase(customer, **kwargs) -> Purchase:
    """One purchase of €100 + 22% VAT (€122.00 charged) unless told otherwise."""
    return order_for(customer, **kwargs).lines.get()


def _two_line_order(customer, actor):
    """€100 and €50 of perpetual software in one order: €122.00 + €61.00 = €183.00 charged."""
    skus = [priced_sku(countries=("IT",), unit_price=EUR(price)) for price in ("100", "50")]
    with partner_scope(customer.partner):
        return order_place(
            partner=customer.partner,
            actor=actor,
            customer=customer,
            lines=[
                LineRequest(offer_id=sku.availabilities.get().catalog_item_id, quantity=1)
                for sku in skus
            ],
        )


def _cancel(purchase, actor, *, complete: bool = True) -> None:
    at = purchase.purchased_at + timedelta(days=1)
    with partner_scope(purchase.partner):
        purchase_cancel(
            partner=purchase.partner, actor=actor, purchase_id=purchase.pk, acknowledged=True,
            at=at,
        )
        if complete:
            assert purchase_cancellation_complete(purchase_id=purchase.pk, at=at + timedelta(1))


def _file(agent, customer, order, amount: str, purchase=None) -> ServiceRequest:
    subscription = str(purchase.pk) if purchase is not None else ""
    return file_request(
        agent,
        refund_draft(customer, order, amount_requested=amount, subscription=subscription),
    )


def _start(support_user, service_request) -> None:
    as_support(support_user, service_request, services.service_request_assign)


def _approve(support_user, service_request, amount: str):
    return as_support(
        support_user, service_request, services.refund_request_decide, approve=True,
        approved_amount=EUR(amount),
    )


def _credits(partner, **filters) -> Decimal:
    with partner_scope(partner):
        return sum((c.total for c in Credit.objects.filter(**filters)), EUR(0))


def _refusal_of_filing(agent, customer, order, amount, purchase=None) -> ServiceRequestInvalid:
    with pytest.raises(ServiceRequestInvalid) as refused:
        _file(agent, customer, order, amount, purchase)
    return refused.value


def test_a_purchase_cancelled_with_a_full_credit_cannot_be_refunded_again(
    italian, agent, global_admin
):
    purchase = _purchase(italian)
    _cancel(purchase, global_admin)
    assert _credits(italian.partner) == EUR("122.00")

    refused = _refusal_of_filing(agent, italian, purchase.order, "1.00")
    assert refused.code == "refund_exceeds_refundable"
    assert refused.problems["amount_requested"] == (
        "Nothing more can be refunded: what was charged for it, €122.00, has been credited in "
        "full."
    )
    with partner_scope(italian.partner):
        assert not ServiceRequest.objects.exists()


def test_a_prorated_cancellation_leaves_exactly_the_rest_refundable(italian, agent, global_admin):
    subscription = _purchase(
        italian, unit_price=EUR("365.00"), family=ProductFamily.SERVER_SUBSCRIPTION,
        term=Term.ONE_YEAR, billing=Billing.SUBSCRIPTION,
    )
    # €365.00 + 22% = €445.30 charged; cancelled on day 1 of 365: 364 unused days back.
    _cancel(subscription, global_admin)
    booked = _credits(italian.partner)
    assert booked == EUR("444.08")
    with partner_scope(italian.partner):
        remaining = refundable_get(order=subscription.order, purchase=subscription).remaining
    assert remaining == EUR("445.30") - booked == EUR("1.22")

    refused = _refusal_of_filing(agent, italian, subscription.order, "1.23", subscription)
    assert refused.problems["amount_requested"] == (
        "At most €1.22 can still be refunded: €445.30 was charged for it and €444.08 has been "
        "credited or is due from a cancellation."
    )
    assert _file(agent, italian, subscription.order, "1.22", subscription).pk


def test_a_refund_filed_before_the_cancellation_is_refused_when_approved_after_it(
    italian, agent, global_admin, support_user
):
    purchase = _purchase(italian)
    request = _file(agent, italian, purchase.order, "122.00")
    _start(support_user, request)
    _cancel(purchase, global_admin)

    with pytest.raises(NotRefundable) as refused:
        _approve(support_user, request, "122.00")
    assert (refused.value.code, refused.value.field, status_of(refused.value)) == (
        "refund_exceeds_refundable", "approvedAmount", 409
    )
    assert _credits(italian.partner) == EUR("122.00")
    with partner_scope(italian.partner):
        assert ServiceRequest.objects.get().status == Status.IN_PROGRESS


def test_two_refund_requests_for_one_order_get_back_at_most_the_charge(
    italian, agent, support_user
):
    order = order_for(italian)
    first = _file(agent, italian, order, "100.00")
    second = _file(agent, italian, order, "100.00")
    for request in (first, second):
        _start(support_user, request)
    _approve(support_user, first, "100.00")

    with pytest.raises(NotRefundable) as refused:
        _approve(support_user, second, "100.00")
    assert "At most €22.00 can still be refunded" in refused.value.message
    assert _credits(italian.partner) == EUR("100.00")

    _approve(support_user, second, "22.00")
    assert _credits(italian.partner) == EUR("122.00")


def test_a_refund_while_the_cancellation_is_pending_cannot_take_its_credit(
    italian, agent, global_admin, support_user
):
    purchase = _purchase(italian)
    request = _file(agent, italian, purchase.order, "50.00")
    _start(support_user, request)
    _cancel(purchase, global_admin, complete=False)

    with pytest.raises(NotRefundable):
        _approve(support_user, request, "50.00")
    with partner_scope(italian.partner):
        assert purchase_cancellation_complete(
            purchase_id=purchase.pk, at=purchase.purchased_at + timedelta(days=2)
        )
        assert Credit.objects.get().kind == CreditKind.CANCEL_IMMEDIATE
    assert _credits(italian.partner) == EUR("122.00"), "the credit previewed is the one booked"


def test_a_cancellation_after_a_partial_refund_previews_and_books_only_the_rest(
    italian, agent, global_admin, support_user
):
    purchase = _purchase(italian)
    request = _file(agent, italian, purchase.order, "22.00", purchase)
    _start(support_user, request)
    _approve(support_user, request, "22.00")

    with partner_scope(italian.partner):
        facts = purchase_cancellation(
            purchase=purchase, at=purchase.purchased_at + timedelta(days=1)
        )
    assert facts.allowed
    assert (facts.credit.extended_amount, facts.credit.tax_amount, facts.credit.total) == (
        EUR("81.97"), EUR("18.03"), EUR("100.00"),
    )
    _cancel(purchase, global_admin)
    assert _credits(italian.partner, purchase=purchase) == EUR("122.00")
    with partner_scope(italian.partner):
        cancellation = Credit.objects.get(kind=CreditKind.CANCEL_IMMEDIATE)
    assert (cancellation.amount, cancellation.tax_amount, cancellation.total) == (
        EUR("81.97"), EUR("18.03"), EUR("100.00"),
    )


def test_the_dialog_and_the_api_preview_only_what_remains_after_a_refund(
    italian, agent, support_user, client_for, api_client_for
):
    refunded = _purchase(italian)
    untouched = _purchase(italian)
    request = _file(agent, italian, refunded.order, "22.00", refunded)
    _start(support_user, request)
    _approve(support_user, request, "22.00")

    dialog = client_for(agent).get(
        f"/customers/{italian.entra_tenant_id}/software/{refunded.pk}/cancel/"
    )
    assert "Credit that will be booked on your next monthly invoice: €100.00" in (
        dialog.content.decode()
    )
    orders = api_client_for(agent).get(f"/v1/customers/{italian.entra_tenant_id}/orders")
    previews = {
        order["id"]: order["lineItems"][0]["cancellation"]["creditPreview"]
        for order in orders.json()["items"]
    }
    assert previews == {str(refunded.order_id): "100.00", str(untouched.order_id): "122.00"}


def test_an_order_level_refund_counts_against_every_purchase_of_the_order(
    italian, agent, global_admin, support_user
):
    order = _two_line_order(italian, global_admin)
    first, second = order.lines.order_by("line_number")
    request = _file(agent, italian, order, "173.00")
    _start(support_user, request)
    _approve(support_user, request, "173.00")

    # The first purchase was charged €122.00, but only €10.00 of the order is left.
    with partner_scope(italian.partner):
        assert refundable_get(order=order, purchase=first).remaining == EUR("10.00")
        facts = purchase_cancellation(purchase=first, at=first.purchased_at + timedelta(days=1))
    assert facts.credit.total == EUR("10.00")
    _cancel(first, global_admin)
    assert _credits(italian.partner, order=order) == EUR("183.00")

    refused = _refusal_of_filing(agent, italian, order, "0.01", second)
    assert refused.code == "refund_exceeds_refundable"
    _cancel(second, global_admin)
    with partner_scope(italian.partner):
        second.refresh_from_db()
        assert second.status == PurchaseStatus.CANCELLED
        assert not Credit.objects.filter(purchase=second).exists(), "nothing left: no credit"
    assert _credits(italian.partner, order=order) == EUR("183.00")


def test_a_refund_naming_one_purchase_is_capped_by_that_purchase(italian, agent, global_admin):
    order = _two_line_order(italian, global_admin)
    first, _second = order.lines.order_by("line_number")
    refused = _refusal_of_filing(agent, italian, order, "122.01", first)
    assert refused.problems["amount_requested"] == "That is more than was charged for it: €122.00."
    assert _file(agent, italian, order, "183.00").pk, "the order as a whole was charged €183.00"


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_approvals_for_one_order_at_the_same_moment_book_the_charge_once(
    owner_partner, role_users, support_user
):
    agent = role_users[Role.ADMIN_AGENT]
    customer = CustomerFactory(partner=owner_partner, country="IT")
    order = order_for(customer)
    requests = [_file(agent, customer, order, "122.00") for _ in range(2)]
    for request in requests:
        _start(support_user, request)
    outcomes = _race([lambda r=r: _approve(support_user, r, "122.00") for r in requests])

    assert sorted(outcomes) == ["ok", "refund_exceeds_refundable"]
    assert _credits(owner_partner) == EUR("122.00")
    with partner_scope(owner_partner):
        statuses = sorted(ServiceRequest.objects.values_list("status", flat=True))
    assert statuses == [Status.APPROVED, Status.IN_PROGRESS]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_cancellation_and_an_approval_at_the_same_moment_give_back_the_charge_once(
    owner_partner, role_users, support_user
):
    agent = role_users[Role.ADMIN_AGENT]
    customer = CustomerFactory(partner=owner_partner, country="IT")
    purchase = _purchase(customer)
    request = _file(agent, customer, purchase.order, "122.00")
    _start(support_user, request)

    outcomes = _race(
        [
            lambda: _cancel(purchase, agent, complete=False),
            lambda: _approve(support_user, request, "122.00"),
        ]
    )
    with partner_scope(owner_partner):
        assert purchase_cancellation_complete(
            purchase_id=purchase.pk, at=purchase.purchased_at + timedelta(days=2)
        )
    assert outcomes[0] == "ok", "cancelling is allowed either way; only its credit shrinks"
    assert outcomes[1] in ("ok", "refund_exceeds_refundable")
    assert _credits(owner_partner) == EUR("122.00")


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_reservation_cancellations_at_once_are_decided_one_after_the_other(
    owner_partner, role_users, monkeypatch
):
    agent = role_users[Role.ADMIN_AGENT]
    american = CustomerFactory(partner=owner_partner, country="US", city="Seattle")
    # Each alone is under the USD 50,000 cap; together they pass it.
    reservations = [
        _purchase(american, family=ProductFamily.AZURE_RESERVATION, unit_price=EUR(price))
        for price in ("30000", "25000")
    ]
    # Between the cap check and the commit, each cancellation waits for the other to get there
    # too. Serialised, the other cannot (it waits for the customer's lock), the wait runs out and
    # the first commits; without the lock both would pass the check before either commits.
    inside = threading.Barrier(2)
    refresh = cancellation._order_status_refresh

    def refresh_when_both_are_inside(order):
        with contextlib.suppress(threading.BrokenBarrierError):
            inside.wait(timeout=3)
        return refresh(order)

    monkeypatch.setattr(cancellation, "_order_status_refresh", refresh_when_both_are_inside)
    outcomes = _race([lambda p=p: _cancel(p, agent, complete=False) for p in reservations])

    assert sorted(outcomes) == ["ok", "support_request_required"]
    with partner_scope(owner_partner):
        pending = Purchase.objects.filter(status=PurchaseStatus.PENDING_CANCELLATION)
        assert pending.count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_trigger_alone_lets_one_of_two_concurrent_over_cap_rows_in(owner_partner):
    customer = CustomerFactory(partner=owner_partner, country="IT")
    order = order_for(customer)

    def insert():
        with partner_scope(owner_partner):
            _credit_row(order, total=EUR("70.00")).save()

    outcomes = _race([insert, insert])
    assert sorted(outcomes) == ["IntegrityError", "ok"]
    assert _credits(owner_partner) == EUR("70.00")


def _credit_row(order, *, total: Decimal, purchase=None, currency_code: str = "EUR") -> Credit:
    """A refund row written straight through the ORM, as a bug skipping the services would."""
    return Credit(
        partner_id=order.partner_id, customer_id=order.customer_id, order=order,
        purchase=purchase, kind=CreditKind.CUSTOMER_CREDIT, reason_code="bug",
        currency_code=currency_code, prices_include_tax=False, tax_rate_percent=EUR(22),
        amount=total, tax_amount=EUR(0), total=total,
    )


def _refused_by_the_database(row: Credit) -> bool:
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        return True
    return False


def test_the_database_refuses_a_credit_row_past_the_charge(italian, global_admin):
    order = _two_line_order(italian, global_admin)
    first, _second = order.lines.order_by("line_number")
    other_order = order_for(italian)
    with partner_scope(italian.partner):
        assert _refused_by_the_database(_credit_row(order, total=EUR("183.01")))
        assert _refused_by_the_database(_credit_row(order, total=EUR("122.01"), purchase=first))
        assert _refused_by_the_database(
            _credit_row(other_order, total=EUR("1.00"), purchase=first)
        ), "a purchase credited under another order"
        assert _refused_by_the_database(
            _credit_row(order, total=EUR("1.00"), currency_code="USD")
        ), "a credit in another currency than the order's"

        allowed = _credit_row(order, total=EUR("122.00"), purchase=first)
        assert not _refused_by_the_database(allowed)
        assert _refused_by_the_database(_credit_row(order, total=EUR("61.01")))
        assert not _refused_by_the_database(_credit_row(order, total=EUR("61.00")))

        allowed.total = EUR("122.01")
        assert _refused_by_the_database(allowed), "an UPDATE is judged too"
        assert Credit.objects.filter(order=order).count() == 2
    assert _credits(italian.partner, order=order) == EUR("183.00")


def test_another_partners_order_is_neither_refunded_nor_measured(
    italian, outsider, client_for, api_client_for
):
    order = order_for(italian)
    draft = refund_draft(italian, order, amount_requested="1.00")
    with pytest.raises(ServiceRequestInvalid) as refused:
        file_request(outsider, draft)
    assert refused.value.problems == {
        "customer": "None of your customers has this tenant GUID or domain."
    }

    page = client_for(outsider).get(
        "/support/new/",
        {"topic": "csp_purchase_refund", "customer": str(italian.entra_tenant_id),
         "order": str(order.id)},
    )
    assert page.status_code == 200
    assert 'id="refundable-remaining"' not in page.content.decode()
    assert "122" not in page.content.decode(), "not even the amount charged leaks"

    response = api_client_for(outsider).post(
        "/v1/servicerequests",
        {"supportTopic": "csp_purchase_refund", "impact": "high", "title": "Refund",
         "customerTenantIdOrDomain": str(italian.entra_tenant_id), "orderId": str(order.id),
         "refundReason": "Mine now", "amountRequested": "1.00",
         "contact": {"name": "Eve", "email": "eve@outsider.example", "phone": "+61 2 9374 4000"}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_service_request"
    with partner_scope(italian.partner):
        assert not ServiceRequest.objects.exists()
    assert _credits(italian.partner) == EUR(0)


def _race(calls) -> list[str]:
    """Run the calls at the same moment, each on its own connection; "ok" or the error's code."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str | None] = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            call()
            outcomes[index] = "ok"
        except PortalError as refused:
            outcomes[index] = refused.code
        except IntegrityError:
            outcomes[index] = "IntegrityError"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_the_credits_read_in_one_statement_are_only_those_of_the_partner_in_scope(
    agent, owner_partner, outsider_partner
):
    customer = CustomerFactory(partner=owner_partner, country="IT")
    purchase = _purchase(customer)
    purchase_cancel(partner=owner_partner, actor=agent, purchase_id=purchase.pk,
                    acknowledged=True)
    held = credit_rows(customer_id=customer.pk, order_id=None)
    assert held.ledger == [(purchase.order_id, purchase.pk, EUR("122.00"))]
    with partner_scope(outsider_partner):
        assert credit_rows(customer_id=customer.pk).ledger == []
        assert credit_rows(order_id=purchase.order_id).ledger == []
        assert credit_rows(
            customer_id=customer.pk, ledger=False, refunds_since=timezone.now() - timedelta(days=1)
        ).refunds == []
