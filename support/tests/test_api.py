"""/v1/servicerequests: filing (JSON and multipart), reading, notes, and triage by support staff."""

from __future__ import annotations

from decimal import Decimal

from core.roles import Role
from core.tenancy import partner_scope
from orders.models import Credit
from support import services
from support.models import Attachment, ServiceRequest

from .factories import (
    EXE_BYTES,
    PDF_BYTES,
    ServiceRequestFactory,
    as_support,
    stored_files,
    upload,
)


def _refund_body(customer, order, **changes) -> dict:
    return {
        "supportTopic": "csp_purchase_refund",
        "impact": "high",
        "title": "Refund Visio",
        "customerTenantIdOrDomain": str(customer.entra_tenant_id),
        "orderId": str(order.id),
        "refundReason": "Bought for the wrong customer.",
        "amountRequested": 61.5,
        "contact": {"name": "Maria Rossi", "email": "maria@northwind.example",
                    "phone": "+39 02 1234 5678"},
        **changes,
    }


def test_a_refund_request_is_filed_with_json(api_client_for, agent, customer, order):
    response = api_client_for(agent).post(
        "/v1/servicerequests", _refund_body(customer, order), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith("SR-")
    assert body["status"] == "new"
    assert body["supportTopicName"] == "CSP Purchase/Refund on behalf of customers"
    assert body["customerTenantId"] == str(customer.entra_tenant_id)
    assert body["orderId"] == str(order.id)
    assert (body["amountRequested"], body["currencyCode"]) == ("61.50", "EUR")
    assert body["approvedAmount"] is None
    assert body["contact"]["phone"] == "+390212345678"
    assert body["notes"] == [] and body["files"] == []


def test_a_refund_request_is_filed_with_files_as_multipart(
    api_client_for, agent, customer, order, attachment_root
):
    body = _refund_body(customer, order)
    contact = body.pop("contact")
    form = {
        **body,
        **{f"contact.{key}": value for key, value in contact.items()},
        "files": [upload("invoice.pdf", PDF_BYTES), upload("lines.csv", b"a,b\n1,2\n")],
    }
    response = api_client_for(agent).post("/v1/servicerequests", form, format="multipart")
    assert response.status_code == 201, response.json()
    files = response.json()["files"]
    assert [(f["name"], f["contentType"]) for f in files] == [
        ("invoice.pdf", "application/pdf"), ("lines.csv", "text/csv"),
    ]
    assert files[0]["uri"] == (
        f"/v1/servicerequests/{response.json()['id']}/files/{files[0]['id']}"
    )
    assert len(stored_files(attachment_root)) == 2


def test_problems_are_a_400_problem_naming_the_api_fields(
    api_client_for, agent, customer, order, attachment_root
):
    response = api_client_for(agent).post(
        "/v1/servicerequests",
        {
            **{k: v for k, v in _refund_body(customer, order).items() if k != "contact"},
            "orderId": "NOTANORDER",
            "files": [upload("invoice.pdf", EXE_BYTES)],
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "invalid_service_request"
    fields = {error["field"]: error["detail"] for error in body["errors"]}
    assert fields["orderId"] == "This customer has no order with this id or order number."
    assert fields["contact.name"] == "Enter the contact's name."
    assert fields["files"].startswith("invoice.pdf contains application/x-msdownload data")
    assert stored_files(attachment_root) == []


def test_support_staff_cannot_file_requests(api_client_for, support_user, customer, order):
    response = api_client_for(support_user).post(
        "/v1/servicerequests", _refund_body(customer, order), format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "role_required"


def test_partners_list_their_own_and_support_staff_list_every_partners(
    api_client_for, agent, support_user, owner_partner, outsider_partner
):
    mine = ServiceRequestFactory(partner=owner_partner, impact="critical")
    ServiceRequestFactory(partner=owner_partner, impact="low")
    theirs = ServiceRequestFactory(partner=outsider_partner, impact="critical")

    own = api_client_for(agent).get("/v1/servicerequests", {"impact": "critical"}).json()
    assert [item["id"] for item in own["items"]] == [str(mine.pk)]
    every = api_client_for(support_user).get("/v1/servicerequests", {"impact": "critical"}).json()
    assert {item["id"] for item in every["items"]} == {str(mine.pk), str(theirs.pk)}
    assert every["totalCount"] == 2

    refused = api_client_for(agent).get("/v1/servicerequests", {"status": "solved"})
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid_filter"


def test_partners_add_notes_and_never_read_internal_ones(
    api_client_for, agent, support_user, refund_request
):
    as_support(
        support_user, refund_request, services.service_request_note_add,
        text="INTERNAL remark", is_internal=True,
    )
    client = api_client_for(agent)
    response = client.patch(
        f"/v1/servicerequests/{refund_request.pk}",
        {"newNote": {"text": "Any news?"}}, format="json",
    )
    assert response.status_code == 200
    notes = response.json()["notes"]
    assert [(n["text"], n["createdBy"]) for n in notes] == [("Any news?", agent.email)]

    staff_view = api_client_for(support_user).get(f"/v1/servicerequests/{refund_request.pk}")
    assert [n["text"] for n in staff_view.json()["notes"]] == ["INTERNAL remark", "Any news?"]


def test_partners_cannot_set_a_status_or_write_internal_notes(
    api_client_for, agent, refund_request
):
    client = api_client_for(agent)
    for body in (
        {"newNote": {"text": "Approve it please"}, "status": "approved", "approvedAmount": "122"},
        {"newNote": {"text": "psst", "isInternal": True}},
    ):
        response = client.patch(f"/v1/servicerequests/{refund_request.pk}", body, format="json")
        assert response.status_code == 403
        assert response.json()["code"] == "role_required"
    with partner_scope(agent.partner):
        assert not refund_request.notes.exists(), "a refused PATCH keeps none of its note"


def test_support_staff_decide_through_the_api_with_their_token(
    api_client_for, support_user, agent, refund_request
):
    staff = api_client_for(support_user)
    url = f"/v1/servicerequests/{refund_request.pk}"
    assert staff.patch(url, {"status": "in_progress"}, format="json").status_code == 200

    too_much = staff.patch(url, {"status": "approved", "approvedAmount": "122.01"}, format="json")
    assert too_much.status_code == 400
    assert too_much.json()["code"] == "approved_amount_too_high"
    assert too_much.json()["errors"] == [
        {"field": "approvedAmount", "detail": "At most the amount requested, €122.00, can be "
         "approved."}
    ]

    response = staff.patch(
        url,
        {"status": "approved", "approvedAmount": "100.00", "resolution": "Partial refund.",
         "newNote": {"text": "Checked with billing.", "isInternal": True}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["approvedAmount"], body["resolution"]) == (
        "approved", "100.00", "Partial refund.",
    )
    again = staff.patch(url, {"status": "approved", "approvedAmount": "100.00"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_decided"
    with partner_scope(agent.partner):
        assert Credit.objects.get().total == Decimal("100.00")

    seen = api_client_for(agent).get(url).json()
    assert seen["status"] == "approved"
    assert [n["text"] for n in seen["notes"]] == ["", "Partial refund."]
    assert [n["status"] for n in seen["notes"]] == ["in_progress", "approved"]


def test_a_rejection_through_the_api_needs_a_resolution(
    api_client_for, support_user, refund_request
):
    staff = api_client_for(support_user)
    url = f"/v1/servicerequests/{refund_request.pk}"
    staff.patch(url, {"status": "in_progress"}, format="json")
    refused = staff.patch(url, {"status": "rejected"}, format="json")
    assert refused.json()["code"] == "resolution_required"
    done = staff.patch(url, {"status": "rejected", "resolution": "Outside policy."}, format="json")
    assert done.json()["status"] == "rejected"


def test_a_patch_with_nothing_to_do_is_refused(api_client_for, agent, refund_request):
    response = api_client_for(agent).patch(
        f"/v1/servicerequests/{refund_request.pk}", {}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "nothing_to_change"


def test_notes_with_files_through_multipart(api_client_for, agent, refund_request):
    response = api_client_for(agent).patch(
        f"/v1/servicerequests/{refund_request.pk}",
        {"newNote.text": "The receipt", "files": [upload("receipt.pdf", PDF_BYTES)]},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    [note] = response.json()["notes"]
    assert note["text"] == "The receipt"
    assert [f["name"] for f in note["files"]] == ["receipt.pdf"]
    with partner_scope(agent.partner):
        assert Attachment.objects.get().note_id == note["id"]


def test_the_openapi_document_describes_service_requests(api_client_for, role_users):
    schema = api_client_for(role_users[Role.GLOBAL_ADMIN]).get(
        "/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    ).json()
    assert {"get", "post"} <= set(schema["paths"]["/v1/servicerequests"])
    assert {"get", "patch"} <= set(schema["paths"]["/v1/servicerequests/{request_id}"])


def test_the_partners_requests_are_listed_newest_first(api_client_for, agent, owner_partner):
    first = ServiceRequestFactory(partner=owner_partner)
    second = ServiceRequestFactory(partner=owner_partner)
    items = api_client_for(agent).get("/v1/servicerequests").json()["items"]
    assert [item["id"] for item in items] == [str(second.pk), str(first.pk)]
    with partner_scope(owner_partner):
        assert ServiceRequest.objects.count() == 2
