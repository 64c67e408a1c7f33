"""GET /v1/products…: Partner Center's catalogue shapes, the verdict per market, and errors."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from catalog.models import ProductFamily
from core.roles import Role
from demo.catalog import demo_catalog_seed

from .factories import priced_sku

PROBLEM = "application/problem+json"
WS_STANDARD = "DG7GMGF0DVT0"
RESERVATION = "DZH318Z0BQ4L"
SUSE = "DZH318Z0BQ3T"


@pytest.fixture
def api(role_users, api_client_for) -> APIClient:
    demo_catalog_seed()
    return api_client_for(role_users[Role.SALES_AGENT])


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert (body["status"], body["code"]) == (status, code)
    assert body["title"] and body["detail"]
    return body


def _availability(api, product_id: str, sku_id: str, country: str) -> dict:
    response = api.get(f"/v1/products/{product_id}/skus/{sku_id}/availabilities",
                       {"country": country})
    assert response.status_code == 200, response.content
    [item] = response.json()["items"]
    return item


def test_products_come_as_a_paged_collection_for_a_market(api):
    body = api.get("/v1/products", {"country": "IT", "size": 5}).json()
    assert body["totalCount"] == 11
    assert len(body["items"]) == 5
    assert body["links"]["next"]["uri"].startswith("http") and body["continuationToken"]
    rest = api.get("/v1/products", {"country": "IT", "size": 100,
                                    "continuationToken": body["continuationToken"]}).json()
    ids = [item["id"] for item in body["items"] + rest["items"]]
    assert len(ids) == len(set(ids)) == 11
    product = next(item for item in body["items"] + rest["items"] if item["id"] == WS_STANDARD)
    assert product == {
        "id": WS_STANDARD,
        "title": "Windows Server 2022 Standard",
        "description": product["description"],
        "publisherName": "Microsoft Corporation",
        "productType": {"id": "perpetual_software", "displayName": "Perpetual software"},
        "issuesKeys": True,
        "isPurchasable": True,
        "unavailableReason": None,
        "unavailableReasonCode": None,
        "links": {
            "skus": {"uri": f"http://testserver/v1/products/{WS_STANDARD}/skus?country=IT",
                     "method": "GET", "headers": []},
            "self": {"uri": f"http://testserver/v1/products/{WS_STANDARD}?country=IT",
                     "method": "GET", "headers": []},
        },
        "attributes": {"objectType": "Product"},
    }


@pytest.mark.parametrize(
    ("target_view", "families"),
    [
        ("Software", {"perpetual_software", "server_subscription", "software_plan"}),
        ("SoftwarePerpetual", {"perpetual_software"}),
        ("SoftwareSubscriptions", {"server_subscription"}),
        ("SoftwareSUSELinux", {"software_plan"}),
        ("AzureReservations", {"azure_reservation"}),
    ],
)
def test_target_view_narrows_the_products_to_its_families(api, target_view, families):
    body = api.get("/v1/products", {"country": "IT", "targetView": target_view}).json()
    assert {item["productType"]["id"] for item in body["items"]} == families


def test_reservations_in_greenland_are_listed_but_not_purchasable_with_the_reason(api):
    body = api.get("/v1/products", {"country": "GL", "targetView": "AzureReservations"}).json()
    [item] = body["items"]
    assert item["isPurchasable"] is False
    assert item["unavailableReason"] == "Azure reservations are not available in Greenland."
    assert item["unavailableReasonCode"] == "market_unavailable"


def test_one_product_as_a_market_sees_it(api):
    body = api.get(f"/v1/products/{RESERVATION}", {"country": "it"}).json()
    assert (body["id"], body["isPurchasable"]) == (RESERVATION, True)
    body = api.get(f"/v1/products/{RESERVATION}", {"country": "GL"}).json()
    assert body["isPurchasable"] is False


def test_a_products_skus_with_their_term_billing_and_quantities(api):
    body = api.get(f"/v1/products/{RESERVATION}/skus", {"country": "IT"}).json()
    assert body["totalCount"] == 2
    first, second = body["items"]
    assert first == {
        "id": "0001", "productId": RESERVATION, "title": "Standard_D2s_v5, West Europe, 1 year",
        "termDuration": "P1Y", "billing": "one_time", "minimumQuantity": 1,
        "maximumQuantity": 1000, "isPurchasable": True, "unavailableReason": None,
        "unavailableReasonCode": None,
        "links": {
            "availabilities": {
                "uri": f"http://testserver/v1/products/{RESERVATION}/skus/0001/availabilities"
                "?country=IT",
                "method": "GET", "headers": []},
            "self": {"uri": f"http://testserver/v1/products/{RESERVATION}/skus/0001?country=IT",
                     "method": "GET", "headers": []},
        },
        "attributes": {"objectType": "Sku"},
    }
    assert second["termDuration"] == "P3Y"
    perpetual = api.get(f"/v1/products/{WS_STANDARD}/skus", {"country": "IT"}).json()
    assert perpetual["items"][0]["termDuration"] is None


def test_an_availability_carries_its_catalog_item_id_price_tax_and_terms(api):
    item = _availability(api, RESERVATION, "0002", "IT")
    assert item["catalogItemId"] == f"{RESERVATION}:0002:{item['id']}"
    assert item["productId"] == RESERVATION and item["skuId"] == "0002"
    assert (item["country"], item["currencyCode"], item["unitPrice"]) == ("IT", "EUR", "1094.8000")
    assert item["pricesIncludeTax"] is False
    assert (item["isPurchasable"], item["unavailableReason"]) == (True, None)
    assert item["terms"] == [{
        "duration": "P3Y", "description": "3 years",
        "cancellationPolicy": {"windowDays": 60, "cancellable": True},
    }]


@pytest.mark.parametrize(("country", "included"), [("AU", True), ("BR", True), ("IT", False),
                                                   ("US", False), ("GB", False), ("DE", False)])
def test_only_australian_and_brazilian_prices_include_tax(api, country, included):
    assert _availability(api, WS_STANDARD, "0001", country)["pricesIncludeTax"] is included


def test_a_perpetual_licence_has_one_term_without_duration(api):
    [term] = _availability(api, WS_STANDARD, "0001", "US")["terms"]
    assert term == {"duration": None, "description": "Perpetual",
                    "cancellationPolicy": {"windowDays": 60, "cancellable": True}}


def test_linux_plans_say_they_cannot_be_cancelled(api):
    [term] = _availability(api, SUSE, "0001", "DE")["terms"]
    assert term["cancellationPolicy"] == {"windowDays": None, "cancellable": False}


def test_an_availability_in_an_excluded_market_is_not_purchasable_with_the_reason(api):
    priced_sku(countries=("GL",), family=ProductFamily.AZURE_RESERVATION,
               product_id="DZH318Z0GL00")
    item = _availability(api, "DZH318Z0GL00", "0001", "GL")
    assert item["isPurchasable"] is False
    assert item["unavailableReason"] == "Azure reservations are not available in Greenland."
    assert item["unitPrice"] == "100.0000"


def test_a_sku_not_sold_in_a_market_has_no_availability_there(api):
    body = api.get(f"/v1/products/{RESERVATION}/skus/0001/availabilities",
                   {"country": "GL"}).json()
    assert (body["totalCount"], body["items"]) == (0, [])


@pytest.mark.parametrize(
    "path", ["/v1/products", f"/v1/products/{WS_STANDARD}", f"/v1/products/{WS_STANDARD}/skus",
             f"/v1/products/{WS_STANDARD}/skus/0001/availabilities"],
)
def test_every_catalogue_call_needs_a_country(api, path):
    body = _problem(api.get(path), 400, "validation_error")
    assert body["errors"][0]["field"] == "country"
    body = _problem(api.get(path, {"country": "QQ"}), 400, "invalid_country")
    assert body["errors"] == [{"field": "country", "detail": body["detail"]}]
    _problem(api.get(path, {"country": "Italy"}), 400, "invalid_country")


def test_an_unknown_target_view_is_a_field_error(api):
    body = _problem(api.get("/v1/products", {"country": "IT", "targetView": "Xbox"}),
                    400, "validation_error")
    assert body["errors"][0]["field"] == "targetView"


@pytest.mark.parametrize(
    "path", ["/v1/products/NOSUCHPRODUC", "/v1/products/NOSUCHPRODUC/skus",
             f"/v1/products/{WS_STANDARD}/skus/9999/availabilities",
             "/v1/products/NOSUCHPRODUC/skus/0001/availabilities"],
)
def test_an_unknown_product_or_sku_is_a_404_problem(api, path):
    _problem(api.get(path, {"country": "IT"}), 404, "not_found")


def test_roles_that_do_not_buy_software_are_refused_naming_the_roles(role_users, api_client_for):
    client = api_client_for(role_users[Role.BILLING_ADMIN])
    body = _problem(client.get("/v1/products", {"country": "IT"}), 403, "role_required")
    assert "Sales agent" in body["detail"]


def test_listing_products_costs_the_same_queries_for_more_products(api):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/v1/products", {"country": "IT", "size": 100}).status_code == 200
        return len(captured)

    queries()
    before = queries()
    for _ in range(5):
        priced_sku(countries=("IT",))
    assert queries() == before


def test_the_openapi_document_describes_the_catalogue_with_its_parameters(db):
    document = APIClient().get("/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in ("/v1/products", "/v1/products/{product_id}", "/v1/products/{product_id}/skus",
                 "/v1/products/{product_id}/skus/{sku_id}/availabilities"):
        parameters = {p["name"]: p for p in document["paths"][path]["get"]["parameters"]}
        assert parameters["country"]["required"] is True, path
    listing = document["paths"]["/v1/products"]["get"]["parameters"]
    assert {p["name"] for p in listing} >= {"targetView", "size", "continuationToken"}
