"""Partner Center's service request samples, with the world's request and customer."""

from __future__ import annotations

from .shapes import assert_collection, assert_echoes_sample_ids, assert_resource


def _assert_service_request(body: dict) -> None:
    assert_resource(body, "ServiceRequest")
    assert set(body) >= {"title", "description", "severity", "supportTopicId", "id", "status",
                         "organization", "createdDate", "lastModifiedDate"}
    assert body["severity"] in {"critical", "moderate", "minimal"}
    assert set(body["organization"]) == {"id", "name"}


def test_get_service_request_details_by_id__request_example(world, pc):
    """develop/get-service-request-details-by-id.md, Request example."""
    response = pc.get(f"/v1/servicerequests/{world.service_request.pk}")
    assert response.status_code == 200
    assert_echoes_sample_ids(response)
    body = response.json()
    _assert_service_request(body)
    assert body["id"] == str(world.service_request.pk)


def test_update_a_service_request__request_example(world, pc):
    """develop/update-a-service-request.md, Request example: the whole resource sent back,
    capitalised, with Status "none" and a NewNote."""
    body = {
        "Id": None,
        "Title": None,
        "Description": None,
        "Severity": "unknown",
        "SupportTopicId": None,
        "SupportTopicName": None,
        "Status": "none",
        "Organization": None,
        "PrimaryContact": None,
        "LastUpdatedBy": None,
        "ProductName": None,
        "ProductId": None,
        "CreatedDate": "0001-01-01T00:00:00",
        "LastModifiedDate": "0001-01-01T00:00:00",
        "LastClosedDate": "0001-01-01T00:00:00",
        "NewNote": {"CreatedByName": None, "CreatedDate": None, "Text": "Sample Note"},
        "Notes": None,
        "CountryCode": None,
        "FileLinks": None,
        "Attributes": {"ObjectType": "ServiceRequest"},
    }
    response = pc.patch(f"/v1/servicerequests/{world.service_request.pk}", body, format="json")
    assert response.status_code == 200, response.content
    updated = response.json()
    _assert_service_request(updated)
    note = updated["notes"][-1]
    assert (note["text"], note["createdByName"]) == ("Sample Note", world.user.email)


def test_get_all_service_requests_for_a_customer__request_example(world, pc):
    """develop/get-all-service-requests-for-a-customer.md, Request example."""
    response = pc.get(f"/v1/customers/{world.customer_id}/servicerequests")
    assert response.status_code == 200
    items = assert_collection(response.json(), "ServiceRequest")
    assert [item["id"] for item in items] == [str(world.service_request.pk)]


def test_create_a_service_request__partner_center_body_to_culture(world, pc):
    """develop/service-request-resources.md (ServiceRequest, ServiceRequestContact): POST
    /servicerequests/{culture} with Partner Center's capitalised Title, Description, Severity,
    SupportTopicId and PrimaryContact (the portal needs the contact's e-mail and phone)."""
    body = {
        "Title": "TrialSR",
        "Description": "Ignore this SR",
        "Severity": "critical",
        "SupportTopicId": "technical_problem",
        "PrimaryContact": {
            "FirstName": "Maria",
            "LastName": "Rossi",
            "Email": "maria.rossi@partner.example",
            "PhoneNumber": "+39 02 1234 5678",
        },
    }
    response = pc.post("/v1/servicerequests/en-US", body, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    _assert_service_request(created)
    assert (created["title"], created["severity"], created["impact"]) == (
        "TrialSR", "critical", "critical",
    )
    assert created["supportTopicId"] == "technical_problem"
