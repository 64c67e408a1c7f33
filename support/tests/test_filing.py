"""Report a problem: what a request must say, what a refund is checked against, the form."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import pytest

from activity.models import Event, OperationType
from core.roles import Role
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from orders.tests.factories import order_for
from support.intake import ServiceRequestDraft, ServiceRequestInvalid
from support.models import ServiceRequest

from .factories import PDF_BYTES, file_request, refund_draft, stored_files, upload


def _problems(user, draft, files=()) -> dict[str, str]:
    with pytest.raises(ServiceRequestInvalid) as refused:
        file_request(user, draft, files)
    return refused.value.problems


def test_it_names_every_missing_field_with_its_message(agent):
    problems = _problems(agent, ServiceRequestDraft(topic="", impact="", title=""))
    assert problems == {
        "topic": "Choose the type of problem.",
        "impact": "Choose the impact: critical, high, medium or low.",
        "title": "Give the request a title.",
        "description": "Describe the problem.",
        "contact_name": "Enter the contact's name.",
        "contact_email": "Enter the contact's e-mail address.",
        "contact_phone": "Enter the contact's phone number.",
    }
    with partner_scope(agent.partner):
        assert not ServiceRequest.objects.exists()


def test_a_refund_needs_the_customer_the_order_a_reason_and_an_amount(agent):
    draft = ServiceRequestDraft(
        topic="csp_purchase_refund", impact="high", title="Refund", contact_name="Maria",
        contact_email="maria@northwind.example", contact_phone="+390212345678",
    )
    assert _problems(agent, draft) == {
        "customer": "Enter the customer's tenant GUID or domain.",
        "order": "Enter the order id or the subscription id.",
        "refund_reason": "Say why the refund is needed.",
        "amount_requested": "Enter the amount to refund.",
    }


def test_a_refund_request_gets_a_number_its_facts_and_an_event(agent, customer, order):
    service_request = file_request(agent, refund_draft(customer, order))

    assert re.fullmatch(r"SR-\d{4}-\d{6}", service_request.number)
    assert service_request.number.endswith(f"{service_request.pk:06d}")
    assert service_request.status == "new"
    assert service_request.customer == customer
    assert service_request.order == order
    assert service_request.amount_requested == Decimal("122.00")
    assert service_request.currency_code == "EUR"
    assert service_request.contact_phone == "+390212345678"
    with partner_scope(agent.partner):
        [event] = Event.objects.filter(operation_type=OperationType.CREATE_SERVICE_REQUEST)
    assert event.actor == agent
    assert event.customer == customer
    assert event.object_id == str(service_request.pk)
    assert event.details["number"] == service_request.number
    assert event.details["amountRequested"] == "122.00"


def test_the_domain_and_the_order_number_find_the_customer_and_the_order(
    agent, customer, order
):
    service_request = file_request(
        agent,
        refund_draft(
            customer, order, customer="ContosoItalia.onmicrosoft.com",
            order=order.alternate_id.lower(),
        ),
    )
    assert (service_request.customer, service_request.order) == (customer, order)


def test_a_subscription_id_names_the_purchase_and_its_order(agent, customer, order):
    with partner_scope(agent.partner):
        purchase = order.lines.get()
    service_request = file_request(
        agent, refund_draft(customer, order, order="", subscription=str(purchase.pk))
    )
    assert (service_request.order, service_request.purchase) == (order, purchase)
    assert service_request.product_title == "Visio 2024"


def test_another_partners_order_is_refused_as_unknown(
    agent, customer, order, outsider_partner, outsider
):
    foreign_customer = CustomerFactory(partner=outsider_partner, country="AU")
    foreign_order = order_for(foreign_customer, actor=outsider)

    problems = _problems(agent, refund_draft(customer, order, order=str(foreign_order.id)))
    assert problems == {"order": "This customer has no order with this id or order number."}

    problems = _problems(
        agent,
        refund_draft(
            customer, order, customer=str(foreign_customer.entra_tenant_id),
            order=str(foreign_order.id),
        ),
    )
    assert problems == {"customer": "None of your customers has this tenant GUID or domain."}


def test_an_unknown_customer_is_refused(agent, customer, order):
    problems = _problems(agent, refund_draft(customer, order, customer=str(uuid.uuid4())))
    assert problems["customer"] == "None of your customers has this tenant GUID or domain."


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("122.01", "That is more than was charged for it: €122.00."),
        ("10.005", "EUR amounts have at most 2 decimals."),
        ("0", "Enter the amount as a positive number with a decimal point, like 120.50."),
        ("-5", "Enter the amount as a positive number with a decimal point, like 120.50."),
        ("12,50", "Enter the amount as a positive number with a decimal point, like 120.50."),
        ("NaN", "Enter the amount as a positive number with a decimal point, like 120.50."),
    ],
)
def test_the_amount_requested_is_checked(agent, customer, order, amount, message):
    problems = _problems(agent, refund_draft(customer, order, amount_requested=amount))
    assert problems == {"amount_requested": message}


@pytest.mark.parametrize("phone", ["12", "+39 123", "not a phone", "+1 555 0100 0000 0000"])
def test_an_invalid_phone_number_is_refused(agent, customer, order, phone):
    problems = _problems(agent, refund_draft(customer, order, contact_phone=phone))
    assert list(problems) == ["contact_phone"]


def test_a_national_phone_number_is_read_in_the_partners_country(agent, customer, order):
    draft = refund_draft(customer, order, contact_phone="02 1234 5678")
    service_request = file_request(agent, draft)
    assert service_request.contact_phone == "+390212345678"


def test_only_a_refund_asks_for_an_amount(agent):
    draft = ServiceRequestDraft(
        topic="billing_question", impact="low", title="Invoice", description="Where is it?",
        amount_requested="10", contact_name="Maria", contact_email="maria@northwind.example",
        contact_phone="+390212345678",
    )
    assert _problems(agent, draft) == {
        "amount_requested": "Only a CSP Purchase/Refund request asks for an amount."
    }


def test_a_question_needs_no_customer(agent):
    draft = ServiceRequestDraft(
        topic="account_access", impact="medium", title="Locked out",
        description="A colleague cannot sign in.", contact_name="Maria",
        contact_email="maria@northwind.example", contact_phone="+390212345678",
    )
    service_request = file_request(agent, draft)
    assert service_request.customer is None
    assert service_request.amount_requested is None


def test_the_form_is_prefilled_from_the_cancellation_link(client_for, agent, customer, order):
    response = client_for(agent).get(
        "/support/new/",
        {
            "topic": "csp_purchase_refund", "customer": str(customer.entra_tenant_id),
            "order": str(order.id), "product": "Visio 2024",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form["topic"].value() == "csp_purchase_refund"
    assert form["customer"].value() == str(customer.entra_tenant_id)
    assert form["order"].value() == str(order.id)
    assert form["title"].value() == "Cancel and refund Visio 2024"
    assert form["contact_email"].value() == agent.email
    assert b'id="prefilled-product">Visio 2024</strong>' in response.content


def test_the_form_shows_each_problem_at_its_field_and_files_nothing(
    client_for, agent, attachment_root
):
    response = client_for(agent).post(
        "/support/new/",
        {"topic": "csp_purchase_refund", "files": upload("bill.pdf", PDF_BYTES)},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["customer"] == ["Enter the customer's tenant GUID or domain."]
    assert form.errors["amount_requested"] == ["Enter the amount to refund."]
    assert form.errors["contact_phone"] == ["Enter the contact's phone number."]
    assert "Enter the customer&#x27;s tenant GUID or domain." in response.content.decode()
    with partner_scope(agent.partner):
        assert not ServiceRequest.objects.exists()
    assert stored_files(attachment_root) == []


def test_a_sales_agent_files_a_refund_with_a_pdf_and_reads_it_back(
    client_for, role_users, customer, order, attachment_root
):
    sales_agent = role_users[Role.SALES_AGENT]
    client = client_for(sales_agent)
    response = client.post(
        "/support/new/",
        {
            "topic": "csp_purchase_refund", "impact": "critical", "title": "Refund Visio",
            "customer": customer.primary_domain, "order": order.alternate_id,
            "refund_reason": "Wrong customer", "amount_requested": "50.00",
            "contact_name": "Maria Rossi", "contact_email": "maria@northwind.example",
            "contact_phone": "+39 02 1234 5678", "files": [upload("invoice.pdf", PDF_BYTES)],
        },
    )
    with partner_scope(sales_agent.partner):
        service_request = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/support/requests/{service_request.pk}/"
    assert len(stored_files(attachment_root)) == 1

    page = client.get(response["Location"], follow=True).content.decode()
    assert service_request.number in page
    assert "invoice.pdf" in page
    assert "€50.00" in page
    listing = client.get("/support/").content.decode()
    assert service_request.number in listing and "New" in listing


@pytest.mark.parametrize("role", [Role.REFERRAL_ADMIN, Role.MARKETING_CONTENT_ADMIN])
def test_roles_that_do_not_file_requests_are_refused(client_for, role_users, role):
    response = client_for(role_users[role]).get("/support/new/")
    assert response.status_code == 403


def test_a_forged_topic_is_refused_by_the_form(client_for, agent):
    response = client_for(agent).post("/support/new/", {"topic": "free_money"})
    assert response.status_code == 400
    assert "topic" in response.context["form"].errors

