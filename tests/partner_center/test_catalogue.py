"""Partner Center's catalogue samples (by country and by customer), ids from the world."""

from __future__ import annotations

from .shapes import assert_collection, assert_echoes_sample_ids, assert_link, assert_resource


def _assert_product(product: dict) -> None:
    assert_resource(product, "Product")
    assert set(product) >= {"id", "title", "description", "productType", "publisherName"}
    assert set(product["productType"]) >= {"id", "displayName"}
    assert_link(product["links"]["skus"])
    assert_link(product["links"]["self"])
    assert product["links"]["skus"]["uri"].endswith(f"/products/{product['id']}/skus?country=US")


def _assert_sku(sku: dict) -> None:
    assert_resource(sku, "Sku")
    assert set(sku) >= {"id", "productId", "title", "minimumQuantity", "maximumQuantity"}
    assert isinstance(sku["minimumQuantity"], int) and isinstance(sku["maximumQuantity"], int)
    assert_link(sku["links"]["availabilities"])
    assert_link(sku["links"]["self"])


def _assert_availability(availability: dict) -> None:
    assert_resource(availability, "Availability")
    assert set(availability) >= {"id", "productId", "skuId", "catalogItemId", "country",
                                 "isPurchasable", "terms"}
    assert availability["catalogItemId"] == ":".join(
        (availability["productId"], availability["skuId"], availability["id"])
    )
    assert availability["country"] == "US"
    assert_link(availability["links"]["self"])


def test_get_a_list_of_products__request_example_azure_reservations_vm(world, pc):
    """develop/get-a-list-of-products.md, Request example (targetView=AzureReservationsVM)."""
    response = pc.get("/v1/products?country=US&targetView=AzureReservationsVM")
    assert response.status_code == 200, response.content
    assert_echoes_sample_ids(response)
    items = assert_collection(response.json(), "Product")
    assert world.reservation_1y.sku.product.product_id in {item["id"] for item in items}
    for item in items:
        _assert_product(item)


def test_get_a_list_of_products__request_example_reservation_scope(world, pc):
    """develop/get-a-list-of-products.md, Request example with reservationScope=AzurePlan:
    the scope is Partner Center's Azure plan option; the portal lists the same reservations."""
    response = pc.get(
        "/v1/products?country=US&targetView=AzureReservationsVM&reservationScope=AzurePlan"
    )
    assert response.status_code == 200
    assert {item["productType"]["id"] for item in response.json()["items"]} == {
        "azure_reservation"
    }


def test_get_a_list_of_products__request_example_microsoft_azure(world, pc):
    """develop/get-a-list-of-products.md, Request example (targetView=MicrosoftAzure): Azure
    plans are not sold in the portal; the answer says which views there are."""
    response = pc.get("/v1/products?country=US&targetView=MicrosoftAzure")
    assert response.status_code == 400
    problem = response.json()
    assert problem["errors"][0]["field"] == "targetView"
    assert problem["description"] == problem["detail"]
    assert problem["partnerCenterCode"] == 3000


def test_get_a_product_by_id__request_example(world, pc):
    """develop/get-a-product-by-id.md, Request example: ?country=US."""
    product_id = world.perpetual.sku.product.product_id
    response = pc.get(f"/v1/products/{product_id}?country=US")
    assert response.status_code == 200
    product = response.json()
    _assert_product(product)
    assert product["id"] == product_id


def test_get_a_list_of_skus_for_a_product__request_example(world, pc):
    """develop/get-a-list-of-skus-for-a-product.md, Request example: ?country=US."""
    product_id = world.reservation_1y.sku.product.product_id
    response = pc.get(f"/v1/products/{product_id}/skus?country=US")
    assert response.status_code == 200
    items = assert_collection(response.json(), "Sku")
    assert world.reservation_1y.sku.sku_id in {item["id"] for item in items}
    for item in items:
        _assert_sku(item)


def test_get_a_list_of_skus_for_a_product__request_example_reservation_scope(world, pc):
    """develop/get-a-list-of-skus-for-a-product.md, Request example with reservationScope."""
    product_id = world.reservation_1y.sku.product.product_id
    response = pc.get(f"/v1/products/{product_id}/skus?country=US&reservationScope=AzurePlan")
    assert response.status_code == 200
    assert_collection(response.json(), "Sku")


def test_get_a_sku_by_id__request_example(world, pc):
    """develop/get-a-sku-by-id.md, Request example: /products/{id}/skus/{id}?country=US."""
    sku = world.reservation_1y.sku
    response = pc.get(f"/v1/products/{sku.product.product_id}/skus/{sku.sku_id}?country=US")
    assert response.status_code == 200
    body = response.json()
    _assert_sku(body)
    assert (body["id"], body["productId"]) == (sku.sku_id, sku.product.product_id)
    assert body["links"]["availabilities"]["uri"].endswith(
        f"/products/{sku.product.product_id}/skus/{sku.sku_id}/availabilities?country=US"
    )


def test_get_a_list_of_availabilities_for_a_sku__request_example(world, pc):
    """develop/get-a-list-of-availabilities-for-a-sku.md, Request example: ?country=US."""
    sku = world.reservation_1y.sku
    response = pc.get(
        f"/v1/products/{sku.product.product_id}/skus/{sku.sku_id}/availabilities?country=US"
    )
    assert response.status_code == 200
    [availability] = assert_collection(response.json(), "Availability")
    _assert_availability(availability)
    assert availability["catalogItemId"] == world.reservation_1y.catalog_item_id


def test_get_a_list_of_availabilities_for_a_sku__request_example_target_view(world, pc):
    """develop/get-a-list-of-availabilities-for-a-sku.md, Request example with targetView and
    reservationScope: neither narrows one SKU's availabilities."""
    sku = world.reservation_1y.sku
    response = pc.get(
        f"/v1/products/{sku.product.product_id}/skus/{sku.sku_id}/availabilities?country=US"
        "&targetView=AzureReservationsVM&reservationScope=AzurePlan"
    )
    assert response.status_code == 200
    assert len(assert_collection(response.json(), "Availability")) == 1


def test_get_an_availability_by_id__request_example(world, pc):
    """develop/get-an-availability-by-id.md, Request example: .../availabilities/{id}."""
    availability = world.reservation_1y
    sku = availability.sku
    response = pc.get(
        f"/v1/products/{sku.product.product_id}/skus/{sku.sku_id}/availabilities/"
        f"{availability.availability_id}?country=US"
    )
    assert response.status_code == 200
    body = response.json()
    _assert_availability(body)
    assert body["id"] == availability.availability_id


def test_get_a_list_of_products_by_customer__request_example(world, pc):
    """develop/get-a-list-of-products-by-customer.md, Request example, with the portal's
    AzureReservations view (its MicrosoftAzure plans are not sold in the portal)."""
    response = pc.get(f"/v1/customers/{world.customer_id}/products?targetView=AzureReservations")
    assert response.status_code == 200
    items = assert_collection(response.json(), "Product")
    assert items
    for item in items:
        _assert_product(item)


def test_get_a_list_of_skus_for_a_product_by_customer__request_example(world, pc):
    """develop/get-a-list-of-skus-for-a-product-by-customer.md, Request example: the customer's
    product, in the customer's market (no country)."""
    product_id = world.reservation_1y.sku.product.product_id
    response = pc.get(f"/v1/customers/{world.customer_id}/products/{product_id}")
    assert response.status_code == 200
    _assert_product(response.json())
    skus = pc.get(f"/v1/customers/{world.customer_id}/products/{product_id}/skus")
    assert skus.status_code == 200
    for item in assert_collection(skus.json(), "Sku"):
        _assert_sku(item)


def test_get_a_list_of_availabilities_for_a_sku_by_customer__request_example(world, pc):
    """develop/get-a-list-of-availabilities-for-a-sku-by-customer.md, Request example."""
    availability = world.reservation_1y
    sku = availability.sku
    base = f"/v1/customers/{world.customer_id}/products/{sku.product.product_id}/skus/{sku.sku_id}"
    response = pc.get(f"{base}/availabilities")
    assert response.status_code == 200
    [item] = assert_collection(response.json(), "Availability")
    _assert_availability(item)
    one = pc.get(f"{base}/availabilities/{availability.availability_id}")
    assert one.status_code == 200 and one.json()["catalogItemId"] == availability.catalog_item_id
