"""Partner Center's customer samples, sent as its docs send them (ids from the world)."""

from __future__ import annotations

import uuid

from .shapes import assert_collection, assert_echoes_sample_ids, assert_link, assert_resource


def _assert_customer(customer: dict) -> None:
    assert_resource(customer, "Customer")
    assert_resource(customer["companyProfile"], "CustomerCompanyProfile")
    assert_resource(customer["billingProfile"], "CustomerBillingProfile")
    assert customer["companyProfile"]["tenantId"] == customer["id"]
    assert customer["relationshipToPartner"] == "reseller"
    assert_link(customer["links"]["self"])
    assert customer["links"]["self"]["uri"] == f"/v1/customers/{customer['id']}"
    billing = customer["billingProfile"]
    assert billing["companyName"] == customer["companyProfile"]["companyName"]
    assert set(billing["defaultAddress"]) >= {"country", "city", "state", "addressLine1",
                                              "postalCode"}


def test_get_a_list_of_customers__request_example(world, pc):
    """develop/get-a-list-of-customers.md, Request example: ?size=40, a Collection."""
    response = pc.get("/v1/customers?size=40")
    assert response.status_code == 200
    assert_echoes_sample_ids(response)
    body = response.json()
    items = assert_collection(body, "Customer")
    assert body["links"]["self"]["uri"] == "/v1/customers?size=40"
    assert world.customer_id in {item["id"] for item in items}
    for item in items:
        _assert_customer(item)


def test_get_a_customer_by_name__request_example(world, pc):
    """develop/get-a-customer-by-name.md, Request example: size=0 and a CompanyName filter."""
    response = pc.get(
        "/v1/customers?size=0&filter=%7B%22Field%22%3A%22CompanyName%22%2C%22Value%22%3A%22Cont"
        "%22%2C%22Operator%22%3A%22starts_with%22%7D"
    )
    assert response.status_code == 200, response.content
    items = assert_collection(response.json(), "Customer")
    assert [item["companyProfile"]["companyName"] for item in items] == ["Contoso US"]


def test_get_a_customer_by_id__request_example(world, pc):
    """develop/get-a-customer-by-id.md, Request example: one Customer by its tenant id."""
    response = pc.get(f"/v1/customers/{world.customer_id}")
    assert response.status_code == 200
    assert_echoes_sample_ids(response)
    customer = response.json()
    _assert_customer(customer)
    assert customer["id"] == world.customer_id


def test_create_a_customer__request_example(world, pc):
    """develop/create-a-customer.md, Request example: the company's name, e-mail and address in
    BillingProfile. Partner Center makes a new tenant; the portal registers an existing one, so
    the sample gets the customer's TenantId."""
    tenant_id = str(uuid.uuid4())
    body = {
        "CompanyProfile": {"Domain": "xyz.ccsctp.net", "TenantId": tenant_id},
        "BillingProfile": {
            "Culture": "EN-US",
            "Email": "test@outlook.com",
            "Language": "en",
            "CompanyName": "test company",
            "DefaultAddress": {
                "FirstName": "Test",
                "LastName": "Test",
                "AddressLine1": "One Microsoft Way",
                "City": "Redmond",
                "State": "WA",
                "PostalCode": "98052",
                "Country": "US",
            },
        },
    }
    response = pc.post("/v1/customers", body, format="json")
    assert response.status_code == 201, response.content
    customer = response.json()
    _assert_customer(customer)
    profile = customer["companyProfile"]
    assert (customer["id"], profile["domain"], profile["companyName"], profile["email"]) == (
        tenant_id, "xyz.ccsctp.net", "test company", "test@outlook.com",
    )
    assert (profile["address"]["city"], profile["address"]["region"]) == ("Redmond", "WA")
    assert pc.get(f"/v1/customers/{tenant_id}").status_code == 200
