"""Triage by support staff: statuses, assignment, notes, and refund decisions that book credits."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from activity.models import Event, OperationType
from core.errors import Conflict, PortalError, RoleRequired
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from orders.models import Credit, CreditKind
from orders.tests.factories import order_for
from support import services
from support.choices import Status
from support.models import ServiceRequest, ServiceRequestNote

from .factories import ServiceRequestFactory, as_support, file_request, refund_draft


def _start(support_user, service_request):
    return as_support(support_user, service_request, services.service_request_assign)


def _approve(support_user, service_request, amount: str, resolution: str = ""):
    return as_support(
        support_user, service_request, services.refund_request_decide, approve=True,
        approved_amount=Decimal(amount), resolution=resolution,
    )


def _events(partner, operation):
    with partner_scope(partner):
        return list(Event.objects.filter(operation_type=operation).order_by("occurred_at", "id"))


def test_taking_a_new_request_assigns_it_and_starts_work(support_user, refund_request):
    service_request = _start(support_user, refund_request)
    assert service_request.assigned_to == support_user
    assert service_request.status == Status.IN_PROGRESS
    [event] = _events(refund_request.partner, OperationType.UPDATE_SERVICE_REQUEST)
    assert event.actor == support_user
    assert event.details["status"] == "in_progress"


def test_statuses_follow_the_allowed_transitions(support_user, refund_request):
    change = services.service_request_status_change
    with pytest.raises(Conflict) as refused:
        as_support(support_user, refund_request, change, status=Status.WAITING_ON_PARTNER)
    assert refused.value.code == "invalid_transition"

    as_support(support_user, refund_request, change, status=Status.IN_PROGRESS)
    as_support(
        support_user, refund_request, change, status=Status.WAITING_ON_PARTNER,
        note="Send us the customer's cancellation e-mail.",
    )
    as_support(support_user, refund_request, change, status=Status.IN_PROGRESS)
    with pytest.raises(PortalError) as refused:
        as_support(support_user, refund_request, change, status=Status.APPROVED)
    assert refused.value.code == "decision_required"
    as_support(support_user, refund_request, change, status=Status.CLOSED)
    with pytest.raises(Conflict):
        as_support(support_user, refund_request, change, status=Status.IN_PROGRESS)

    with partner_scope(refund_request.partner):
        steps = list(
            ServiceRequestNote.objects.filter(service_request=refund_request)
            .values_list("status_to", flat=True)
        )
    assert steps == ["in_progress", "waiting_on_partner", "in_progress", "closed"]


def test_a_decision_is_final(support_user, refund_request):
    _start(support_user, refund_request)
    as_support(
        support_user, refund_request, services.refund_request_decide, approve=False,
        resolution="Outside the refund policy.",
    )
    with pytest.raises(Conflict) as refused:
        _approve(support_user, refund_request, "10.00")
    assert refused.value.code == "already_decided"
    with pytest.raises(Conflict):
        as_support(
            support_user, refund_request, services.service_request_status_change,
            status=Status.IN_PROGRESS,
        )


def test_a_new_request_is_not_decided_before_work_starts(support_user, refund_request):
    with pytest.raises(Conflict) as refused:
        _approve(support_user, refund_request, "10.00")
    assert refused.value.code == "invalid_transition"


def test_approval_books_one_refund_credit_with_the_tax_split_off(support_user, refund_request):
    _start(support_user, refund_request)
    decided = _approve(support_user, refund_request, "61.00", "Half, as agreed on the phone.")

    assert decided.status == Status.APPROVED
    assert decided.approved_amount == Decimal("61.00")
    assert decided.decided_by == support_user
    with partner_scope(refund_request.partner):
        [credit] = Credit.objects.all()
    assert credit.kind == CreditKind.CUSTOMER_CREDIT
    assert credit.reason_code == "supportRequestRefund"
    assert credit.service_request_id == refund_request.pk
    assert credit.customer == refund_request.customer
    # Italy adds 22% VAT on top: €61.00 back is €50.00 plus €11.00 of tax.
    assert (credit.currency_code, credit.amount, credit.tax_amount, credit.total) == (
        "EUR", Decimal("50.00"), Decimal("11.00"), Decimal("61.00"),
    )
    assert decided.credit == credit

    [booked] = _events(refund_request.partner, OperationType.CREATE_CREDIT)
    assert booked.actor == support_user
    assert booked.details["reasonCode"] == "supportRequestRefund"
    updates = _events(refund_request.partner, OperationType.UPDATE_SERVICE_REQUEST)
    assert updates[-1].details["status"] == "approved"
    assert updates[-1].details["approvedAmount"] == "61.00"
    assert updates[-1].details["creditId"] == str(credit.pk)


def test_a_refund_in_australia_contains_its_tax(support_user, owner_partner, agent):
    customer = CustomerFactory(partner=owner_partner, country="AU", city="Sydney")
    order = order_for(customer, actor=agent, unit_price=Decimal("110"))
    service_request = file_request(
        agent, refund_draft(customer, order, amount_requested="55.00")
    )
    _start(support_user, service_request)
    _approve(support_user, service_request, "55.00")
    with partner_scope(owner_partner):
        credit = Credit.objects.get()
    # GST (10%) is inside Australian prices: A$55.00 back holds A$5.00 of tax.
    assert (credit.currency_code, credit.amount, credit.tax_amount, credit.total) == (
        "AUD", Decimal("55.00"), Decimal("5.00"), Decimal("55.00"),
    )


def test_approving_twice_books_one_credit(support_user, refund_request):
    _start(support_user, refund_request)
    _approve(support_user, refund_request, "122.00")
    with pytest.raises(Conflict):
        _approve(support_user, refund_request, "122.00")
    with partner_scope(refund_request.partner):
        assert Credit.objects.count() == 1
    assert len(_events(refund_request.partner, OperationType.CREATE_CREDIT)) == 1


@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_the_same_moment_book_one_credit(support_user, agent, customer, order):
    service_request = file_request(agent, refund_draft(customer, order))
    _start(support_user, service_request)
    barrier = threading.Barrier(2)
    outcomes = []

    def approve():
        try:
            barrier.wait(timeout=10)
            _approve(support_user, service_request, "100.00")
            outcomes.append("approved")
        except Conflict as refused:
            outcomes.append(refused.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["already_decided", "approved"]
    with partner_scope(customer.partner):
        assert Credit.objects.count() == 1
        assert ServiceRequest.objects.get().approved_amount == Decimal("100.00")
    assert len(_events(customer.partner, OperationType.CREATE_CREDIT)) == 1


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("122.01", "approved_amount_too_high"),
        ("500", "approved_amount_too_high"),
        ("0", "approved_amount_required"),
        ("-1", "approved_amount_required"),
        ("10.001", "invalid_amount"),
    ],
)
def test_approval_above_the_amount_requested_or_malformed_is_refused(
    support_user, refund_request, amount, code
):
    _start(support_user, refund_request)
    with pytest.raises(PortalError) as refused:
        _approve(support_user, refund_request, amount)
    assert refused.value.code == code
    with partner_scope(refund_request.partner):
        assert not Credit.objects.exists()
        assert ServiceRequest.objects.get().status == Status.IN_PROGRESS


def test_a_rejection_says_why(support_user, refund_request):
    _start(support_user, refund_request)
    with pytest.raises(PortalError) as refused:
        as_support(support_user, refund_request, services.refund_request_decide, approve=False)
    assert refused.value.code == "resolution_required"
    decided = as_support(
        support_user, refund_request, services.refund_request_decide, approve=False,
        resolution="The cancellation window was open: cancel the purchase instead.",
    )
    assert decided.status == Status.REJECTED
    assert decided.resolution.startswith("The cancellation window")
    with partner_scope(refund_request.partner):
        assert not Credit.objects.exists()


def test_only_refund_requests_are_approved_or_rejected(support_user, owner_partner):
    question = ServiceRequestFactory(partner=owner_partner, status=Status.IN_PROGRESS)
    with pytest.raises(PortalError) as refused:
        as_support(
            support_user, question, services.refund_request_decide, approve=False,
            resolution="No",
        )
    assert refused.value.code == "not_a_refund"


def test_partner_staff_cannot_triage(agent, refund_request):
    with partner_scope(agent.partner):
        for call, kwargs in [
            (services.service_request_assign, {}),
            (services.service_request_status_change, {"status": Status.CLOSED}),
            (services.refund_request_decide, {"approve": True, "approved_amount": Decimal(1)}),
            (services.service_request_note_add, {"text": "psst", "is_internal": True}),
        ]:
            with pytest.raises(RoleRequired):
                call(partner=agent.partner, actor=agent, request_id=refund_request.pk, **kwargs)


def test_a_partner_reply_puts_a_waiting_request_back_in_progress(
    support_user, agent, refund_request
):
    _start(support_user, refund_request)
    as_support(
        support_user, refund_request, services.service_request_status_change,
        status=Status.WAITING_ON_PARTNER, note="Which customer e-mail asked for it?",
    )
    with partner_scope(agent.partner):
        note = services.service_request_note_add(
            partner=agent.partner, actor=agent, request_id=refund_request.pk,
            text="The one of 3 March.",
        )
        assert note.status_to == Status.IN_PROGRESS
        assert ServiceRequest.objects.get().status == Status.IN_PROGRESS


def test_internal_notes_stay_out_of_the_partners_activity_log(support_user, refund_request):
    as_support(
        support_user, refund_request, services.service_request_note_add,
        text="Partner asked twice last month.", is_internal=True,
    )
    as_support(
        support_user, refund_request, services.service_request_note_add,
        text="We are looking into it.",
    )
    updates = _events(refund_request.partner, OperationType.UPDATE_SERVICE_REQUEST)
    assert len(updates) == 1
    assert "Partner asked twice" not in str(updates[0].details)


def test_a_closed_request_takes_no_more_notes(support_user, agent, refund_request):
    as_support(
        support_user, refund_request, services.service_request_status_change,
        status=Status.CLOSED,
    )
    with partner_scope(agent.partner), pytest.raises(Conflict):
        services.service_request_note_add(
            partner=agent.partner, actor=agent, request_id=refund_request.pk, text="Hello?"
        )
