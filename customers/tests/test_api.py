"""GET/POST /v1/customers with Partner Center's filter JSON, GET /v1/customers/{tenantId}."""

import json

import pytest

from customers.tests.factories import CustomerFactory

BODY = {
    "companyProfile": {
        "tenantId": "8a1c3e55-2b4f-4a7e-9c1d-6f0e2b3a4c5d",
        "domain": "wingtip.onmicrosoft.com",
        "companyName": "Wingtip Toys GmbH",
        "email": "it@wingtip.example",
        "address": {
            "country": "DE",
            "city": "Berlin",
            "postalCode": "10115",
            "addressLine1": "Unter den Linden 1",
        },
    },
    "billingProfile": {"contactName": "Anna Schmidt", "phone": "+49 30 123456"},
}


@pytest.fixture
def customers(owner_partner):
    return [
        CustomerFactory(
            partner=owner_partner, company_name="Contoso", primary_domain="contoso.com"
        ),
        CustomerFactory(partner=owner_partner, company_name="Northwind", primary_domain="nw.com"),
    ]


def _filter(field, value):
    return {"filter": json.dumps({"Field": field, "Value": value, "Operator": "starts_with"})}


@pytest.mark.parametrize(
    ("field", "value"),
    [("CompanyName", "cont"), ("Domain", "contoso."), ("TenantId", None)],
)
def test_customers_are_filtered_like_partner_center(
    customers, global_admin, api_client_for, field, value
):
    value = value or str(customers[0].entra_tenant_id)
    body = api_client_for(global_admin).get("/v1/customers", _filter(field, value)).json()
    assert [c["companyProfile"]["companyName"] for c in body["items"]] == ["Contoso"]
    assert body["totalCount"] == 1


@pytest.mark.parametrize(
    "raw",
    [
        "{nope",
        '{"Field":"Phone","Value":"1"}',
        '{"Value":"x"}',
        '{"Field":"TenantId","Value":"not-a-guid"}',
    ],
)
def test_a_malformed_filter_is_a_problem(customers, global_admin, api_client_for, raw):
    response = api_client_for(global_admin).get("/v1/customers", {"filter": raw})
    assert response.status_code == 400
    assert response.json()["code"] in {"invalid_filter", "invalid_tenant_id"}


def test_a_customer_is_created_and_read_back_by_tenant_guid(global_admin, api_client_for):
    client = api_client_for(global_admin)
    created = client.post("/v1/customers", BODY, format="json")
    assert created.status_code == 201
    assert created.json()["id"] == BODY["companyProfile"]["tenantId"]
    read = client.get(f"/v1/customers/{BODY['companyProfile']['tenantId']}").json()
    assert read["companyProfile"]["address"]["country"] == "DE"
    assert read["billingProfile"]["contactName"] == "Anna Schmidt"


def test_creating_the_same_tenant_twice_is_409(global_admin, api_client_for):
    client = api_client_for(global_admin)
    client.post("/v1/customers", BODY, format="json")
    again = client.post("/v1/customers", BODY, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "customer_exists"


def test_missing_fields_are_listed(global_admin, api_client_for):
    response = api_client_for(global_admin).post(
        "/v1/customers", {"companyProfile": {"companyName": "X"}}, format="json"
    )
    body = response.json()
    assert response.status_code == 400 and body["code"] == "validation_error"
    assert {"companyProfile.tenantId", "companyProfile.domain"} <= {
        e["field"] for e in body["errors"]
    }


@pytest.mark.parametrize("customer_id", ["not-a-guid", "00000000-0000-0000-0000-000000000000"])
def test_unknown_or_malformed_customer_is_404(global_admin, api_client_for, customer_id):
    response = api_client_for(global_admin).get(f"/v1/customers/{customer_id}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
