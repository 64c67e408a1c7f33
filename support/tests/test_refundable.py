"""What is still refundable, as the partner's form, support staff's page and the API show it, and
the refusal of more, with its stable code `refund_exceeds_refundable`."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from core.roles import Role
from core.tenancy import partner_scope
from orders.models import Credit
from orders.services.cancellation import purchase_cancel, purchase_cancellation_complete
from support import services
from support.choices import Status
from support.models import ServiceRequest

from .factories import as_support, file_request, refund_draft


def _refund(agent, support_user, customer, order, amount: str) -> ServiceRequest:
    request = file_request(agent, refund_draft(customer, order, amount_requested=amount))
    as_support(support_user, request, services.service_request_assign)
    as_support(
        support_user, request, services.refund_request_decide, approve=True,
        approved_amount=Decimal(amount),
    )
    return request


def _form_query(customer, order) -> dict:
    return {
        "topic": "csp_purchase_refund", "customer": str(customer.entra_tenant_id),
        "order": str(order.id), "product": "Visio 2024",
    }


def test_the_form_opened_from_the_cancellation_link_shows_what_is_still_refundable(
    client_for, agent, support_user, customer, order
):
    page = client_for(agent).get("/support/new/", _form_query(customer, order))
    assert "Still refundable: <strong>€122.00</strong> of the €122.00 charged." in (
        page.content.decode()
    )
    _refund(agent, support_user, customer, order, "22.00")

    page = client_for(agent).get("/support/new/", _form_query(customer, order))
    assert "Still refundable: <strong>€100.00</strong> of the €122.00 charged." in (
        page.content.decode()
    )


def test_the_form_refuses_more_than_is_refundable_and_says_how_much_is(
    client_for, agent, support_user, customer, order
):
    _refund(agent, support_user, customer, order, "22.00")
    response = client_for(agent).post(
        "/support/new/",
        {
            **_form_query(customer, order), "impact": "high", "title": "Refund the rest",
            "refund_reason": "Wrong customer", "amount_requested": "100.01",
            "contact_name": "Maria Rossi", "contact_email": "maria@northwind.example",
            "contact_phone": "+39 02 1234 5678",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["amount_requested"] == [
        "At most €100.00 can still be refunded: €122.00 was charged for it and €22.00 has been "
        "credited or is due from a cancellation."
    ]
    assert "Still refundable: <strong>€100.00</strong>" in response.content.decode()
    with partner_scope(agent.partner):
        assert ServiceRequest.objects.count() == 1, "only the first, approved request"


def test_the_form_speaks_italian_to_an_italian_user(client_for, agent, customer, order):
    agent.language = "it"
    agent.save(update_fields=["language"])
    page = client_for(agent).get("/support/new/", _form_query(customer, order))
    # Babel keeps the euro sign apart with a no-break space in Italian.
    assert "Ancora rimborsabile: <strong>122,00\xa0€</strong> su 122,00\xa0€ addebitati." in (
        page.content.decode()
    )


def test_the_approval_page_shows_the_remainder_and_offers_at_most_it(
    client_for, agent, support_user, global_admin, customer, order
):
    request = file_request(agent, refund_draft(customer, order, amount_requested="122.00"))
    as_support(support_user, request, services.service_request_assign)
    with partner_scope(customer.partner):
        purchase = order.lines.get()
        at = purchase.purchased_at + timedelta(days=1)
        purchase_cancel(
            partner=customer.partner, actor=global_admin, purchase_id=purchase.pk,
            acknowledged=True, at=at,
        )
    staff = client_for(support_user)
    page = staff.get(f"/support/queue/{request.pk}/")
    text = page.content.decode()
    assert 'id="refundable-remaining" class="errorlist"' in text
    assert "Still refundable: <strong>€0.00</strong> of the €122.00 charged" in text
    assert page.context["decision_form"]["approved_amount"].value() == Decimal("0.00")

    response = staff.post(
        f"/support/queue/{request.pk}/decision/",
        {"decision": "approve", "approved_amount": "122.00", "resolution": ""}, follow=True,
    )
    assert "Nothing more can be refunded: what was charged for it, €122.00, has been credited " \
        "in full." in response.content.decode()
    with partner_scope(customer.partner):
        assert ServiceRequest.objects.get().status == Status.IN_PROGRESS
        assert purchase_cancellation_complete(purchase_id=purchase.pk, at=at + timedelta(1))
        assert Credit.objects.get().total == Decimal("122.00")


def test_the_approval_page_offers_the_amount_requested_when_all_of_it_is_refundable(
    client_for, support_user, refund_request
):
    as_support(support_user, refund_request, services.service_request_assign)
    page = client_for(support_user).get(f"/support/queue/{refund_request.pk}/")
    assert page.context["decision_form"]["approved_amount"].value() == Decimal("122.00")
    assert "Still refundable: <strong>€122.00</strong> of the €122.00 charged" in (
        page.content.decode()
    )


def test_the_api_refuses_filing_more_than_is_refundable_with_its_code(
    api_client_for, agent, support_user, customer, order
):
    _refund(agent, support_user, customer, order, "100.00")
    body = {
        "supportTopic": "csp_purchase_refund", "impact": "high", "title": "Refund again",
        "customerTenantIdOrDomain": str(customer.entra_tenant_id), "orderId": str(order.id),
        "refundReason": "Twice, why not", "amountRequested": "22.01",
        "contact": {"name": "Maria Rossi", "email": "maria@northwind.example",
                    "phone": "+39 02 1234 5678"},
    }
    client = api_client_for(agent)
    response = client.post("/v1/servicerequests", body, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "refund_exceeds_refundable"
    assert problem["errors"] == [
        {"field": "amountRequested", "detail": "At most €22.00 can still be refunded: €122.00 "
         "was charged for it and €100.00 has been credited or is due from a cancellation."}
    ]

    # With another problem beside it, the code is the general one; each field still says why.
    mixed = client.post(
        "/v1/servicerequests", {**body, "contact": {**body["contact"], "phone": "x"}},
        format="json",
    ).json()
    assert mixed["code"] == "invalid_service_request"
    assert {e["field"] for e in mixed["errors"]} == {"amountRequested", "contact.phone"}

    filed = client.post(
        "/v1/servicerequests", {**body, "amountRequested": "22.00"}, format="json"
    )
    assert filed.status_code == 201
    assert filed.json()["refundableAmount"] == "22.00"


def test_the_api_refuses_approving_more_than_is_refundable_with_its_code(
    api_client_for, agent, support_user, customer, order
):
    requests = [
        file_request(agent, refund_draft(customer, order, amount_requested="100.00"))
        for _ in range(2)
    ]
    staff = api_client_for(support_user)
    for request in requests:
        assert staff.patch(
            f"/v1/servicerequests/{request.pk}", {"status": "in_progress"}, format="json"
        ).status_code == 200
    first, second = (f"/v1/servicerequests/{r.pk}" for r in requests)
    assert staff.get(second).json()["refundableAmount"] == "122.00"
    approve = {"status": "approved", "approvedAmount": "100.00"}
    assert staff.patch(first, approve, format="json").status_code == 200

    assert staff.get(second).json()["refundableAmount"] == "22.00"
    refused = staff.patch(second, approve, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "refund_exceeds_refundable"
    assert refused.json()["errors"][0]["field"] == "approvedAmount"
    assert api_client_for(agent).get(second).json()["status"] == "in_progress"
    with partner_scope(agent.partner):
        assert Credit.objects.get().total == Decimal("100.00")


def test_the_openapi_document_names_the_code(api_client_for, role_users):
    schema = api_client_for(role_users[Role.GLOBAL_ADMIN]).get(
        "/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    ).json()
    collection = schema["paths"]["/v1/servicerequests"]["post"]["responses"]
    item = schema["paths"]["/v1/servicerequests/{request_id}"]["patch"]["responses"]
    assert "refund_exceeds_refundable" in collection["400"]["description"]
    assert "refund_exceeds_refundable" in item["409"]["description"]
