"""Partner Center's order and cart samples, sent as its docs send them (ids from the world)."""

from __future__ import annotations

from .shapes import assert_echoes_sample_ids, assert_link, assert_resource


def _orders(world) -> str:
    return f"/v1/customers/{world.customer_id}/orders"


def _carts(world) -> str:
    return f"/v1/customers/{world.customer_id}/carts"


def _assert_order(order: dict, world) -> None:
    assert_resource(order, "Order")
    assert order["referenceCustomerId"] == world.customer_id
    assert order["billingCycle"] == "one_time"
    assert order["status"] in {"completed", "pendingCancellation", "cancelled"}
    assert_link(order["links"]["self"])
    assert order["links"]["self"]["uri"].endswith(f"/customers/{world.customer_id}/orders/"
                                                   f"{order['id']}")
    for line in order["lineItems"]:
        assert_resource(line, "OrderLineItem")
        assert isinstance(line["lineItemNumber"], int) and isinstance(line["quantity"], int)
        assert line["friendlyName"]
        for name in ("product", "sku", "availability"):
            assert_link(line["links"][name])
            assert line["links"][name]["uri"].endswith("?country=US")


def test_create_an_order__request_example(world, pc):
    """develop/create-an-order.md, Request example: capitalised names, a provisioning context."""
    body = {
        "BillingCycle": "one_time",
        "CurrencyCode": "USD",
        "LineItems": [
            {
                "LineItemNumber": 0,
                "ProvisioningContext": {
                    "subscriptionId": "3D5ECED6-1151-44C7-AEE6-70A4BB725666",
                    "scope": "shared",
                    "duration": "1Year",
                },
                "OfferId": world.reservation_1y.catalog_item_id,
                "FriendlyName": "A_sample_Azure_RI",
                "Quantity": 1,
            }
        ],
    }
    response = pc.post(_orders(world), body, format="json")
    assert response.status_code == 201, response.content
    assert_echoes_sample_ids(response)
    order = response.json()
    _assert_order(order, world)
    assert order["currencyCode"] == "USD"
    [line] = order["lineItems"]
    assert (line["lineItemNumber"], line["offerId"], line["quantity"]) == (
        0, world.reservation_1y.catalog_item_id, 1,
    )


def test_get_all_of_a_customer_s_orders__request_example(world, pc):
    """develop/get-all-of-a-customer-s-orders.md, Request example: a collection of Order."""
    response = pc.get(_orders(world))
    assert response.status_code == 200
    assert_echoes_sample_ids(response)
    body = response.json()
    assert_resource(body, "Collection")
    assert_link(body["links"]["self"])
    assert body["totalCount"] == len(body["items"]) >= 1
    for order in body["items"]:
        _assert_order(order, world)


def test_get_an_order_by_id__request_example(world, pc):
    """develop/get-an-order-by-id.md, Request example: one Order with its line items' links."""
    response = pc.get(f"{_orders(world)}/{world.order.id}")
    assert response.status_code == 200
    assert_echoes_sample_ids(response)
    order = response.json()
    _assert_order(order, world)
    assert order["id"] == str(world.order.id)
    assert order["creationDate"].endswith("Z")


def test_cancel_software_purchases__request_example(world, pc):
    """develop/cancel-software-purchases.md, Request example: PATCH status cancelled.

    Partner Center answers 200 with the cancelled line at quantity 0; the portal answers 202,
    the line pendingCancellation at quantity 0 until the cancellation completes (API.md).
    """
    order = pc.post(_orders(world), {"LineItems": [
        {"LineItemNumber": 0, "OfferId": world.perpetual.catalog_item_id, "Quantity": 1},
    ]}, format="json").json()
    body = {
        "id": order["id"],
        "status": "cancelled",
        "lineItems": [{"lineItemNumber": 0, "offerId": world.perpetual.catalog_item_id}],
    }
    response = pc.patch(f"{_orders(world)}/{order['id']}", body, format="json")
    assert response.status_code == 202, response.content
    cancelled = response.json()
    _assert_order(cancelled, world)
    [line] = cancelled["lineItems"]
    assert (line["offerId"], line["status"]) == (
        world.perpetual.catalog_item_id, "pendingCancellation",
    )


def _sample_cart_lines(world) -> list[dict]:
    # The sample's reservation and perpetual software lines; its Azure plan and SaaS lines name
    # products the portal does not sell.
    return [
        {
            "id": 1,
            "catalogItemId": world.reservation_1y.catalog_item_id,
            "quantity": 1,
            "billingCycle": "one_time",
            "termDuration": "P1Y",
            "provisioningContext": {
                "subscriptionId": "1C461A25-F729-4FA5-AADB-280947DD05E8",
                "scope": "shared",
            },
        },
        {
            "id": 2,
            "catalogItemId": world.reservation_3y.catalog_item_id,
            "quantity": 1,
            "billingCycle": "one_time",
            "termDuration": "P3Y",
            "provisioningContext": {
                "subscriptionId": "1C461A25-F729-4FA5-AADB-280947DD05E8",
                "scope": "single",
            },
        },
        {
            "id": 3,
            "catalogItemId": world.perpetual.catalog_item_id,
            "quantity": 1,
            "billingCycle": "one_time",
        },
    ]


def _assert_cart(cart: dict, world) -> None:
    assert_resource(cart, "Cart")
    assert set(cart) >= {
        "id", "creationTimestamp", "lastModifiedTimestamp", "expirationTimestamp",
        "lastModifiedUser", "status", "lineItems", "links",
    }
    assert_link(cart["links"]["self"])
    assert cart["links"]["self"]["uri"].endswith(f"/customers/{world.customer_id}/carts/"
                                                  f"{cart['id']}")
    for line in cart["lineItems"]:
        assert set(line) >= {"id", "catalogItemId", "quantity", "currencyCode", "billingCycle",
                             "orderGroup"}
        assert isinstance(line["id"], int) and isinstance(line["quantity"], int)


def test_create_a_cart__request_example(world, pc):
    """develop/create-a-cart.md, Request example: lines with ids, billing cycles and terms."""
    response = pc.post(_carts(world), {"lineItems": _sample_cart_lines(world)}, format="json")
    assert response.status_code == 201, response.content
    assert_echoes_sample_ids(response)
    cart = response.json()
    _assert_cart(cart, world)
    assert cart["status"] == "Active"
    assert [(line["id"], line["catalogItemId"], line["currencyCode"], line["termDuration"])
            for line in cart["lineItems"]] == [
        (1, world.reservation_1y.catalog_item_id, "USD", "P1Y"),
        (2, world.reservation_3y.catalog_item_id, "USD", "P3Y"),
        (3, world.perpetual.catalog_item_id, "USD", None),
    ]
    assert cart["expirationTimestamp"] > cart["creationTimestamp"]


def test_update_a_cart__request_example(world, pc):
    """develop/update-a-cart.md, Request example: the whole cart sent back, names capitalised."""
    cart = pc.post(_carts(world), {"lineItems": _sample_cart_lines(world)}, format="json").json()
    body = {
        "Id": cart["id"],
        "CreationTimestamp": "2018-03-15T17:15:02.3840528Z",
        "LastModifiedTimestamp": "2018-03-15T17:15:02.3840528Z",
        "ExpirationTimestamp": "0001-01-01T00:00:00",
        "LastModifiedUser": "2713ccd7-ea3b-470a-9cfb-451d5d0482cc",
        "LineItems": [
            {
                "Id": 0,
                "CatalogItemId": world.perpetual.catalog_item_id,
                "FriendlyName": "A_sample_Azure_RI",
                "Quantity": 2,
                "BillingCycle": "one_time",
                "ProvisioningContext": {
                    "SubscriptionId": "3D5ECED6-1151-44C7-AEE6-70A4BB725666",
                    "Scope": "shared",
                    "Duration": "1Year",
                },
            }
        ],
    }
    response = pc.put(f"{_carts(world)}/{cart['id']}/", body, format="json")
    assert response.status_code == 201, response.content
    updated = response.json()
    _assert_cart(updated, world)
    [line] = updated["lineItems"]
    assert (line["id"], line["catalogItemId"], line["friendlyName"], line["quantity"]) == (
        0, world.perpetual.catalog_item_id, "A_sample_Azure_RI", 2,
    )
    assert updated["id"] == cart["id"]


def test_checkout_a_cart__request_example(world, pc):
    """develop/checkout-a-cart.md, Request example: no body; a CartCheckoutResult with orders."""
    cart = pc.post(_carts(world), {"lineItems": _sample_cart_lines(world)}, format="json").json()
    response = pc.post(f"{_carts(world)}/{cart['id']}/checkout")
    assert response.status_code == 201, response.content
    result = response.json()
    assert_resource(result, "CartCheckoutResult")
    assert result["orderErrors"] == []
    [order] = result["orders"]
    _assert_order(order, world)
    assert [line["offerId"] for line in order["lineItems"]] == [
        world.reservation_1y.catalog_item_id,
        world.reservation_3y.catalog_item_id,
        world.perpetual.catalog_item_id,
    ]
    assert pc.get(f"{_orders(world)}/{order['id']}").status_code == 200
    checked_out = pc.get(f"{_carts(world)}/{cart['id']}").json()
    assert (checked_out["status"], checked_out["orderId"]) == ("Ordered", order["id"])
    again = pc.post(f"{_carts(world)}/{cart['id']}/checkout")
    assert again.status_code == 409
    assert (again.json()["code"], again.json()["partnerCenterCode"]) == (
        "cart_checked_out", 800065,
    )
