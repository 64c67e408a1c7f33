"""POST/GET /v1/customers/{id}/orders: the order shape, refusals and idempotency."""

import threading

import pytest
from django.db import connection

from catalog.models import ProductFamily
from catalog.tests.factories import market, priced_sku
from core.roles import Role
from customers.tests.factories import CustomerFactory
from orders.models import Order
from orders.tests.factories import order_for


def _body(offer, quantity=2):
    return {"lineItems": [{"lineItemNumber": 0, "offerId": offer, "quantity": quantity}]}


def _orders_url(customer):
    return f"/v1/customers/{customer.entra_tenant_id}/orders"


def test_an_order_is_created_with_partner_center_fields(
    italian, offer, global_admin, api_client_for
):
    response = api_client_for(global_admin).post(_orders_url(italian), _body(offer), format="json")
    assert response.status_code == 201
    order = response.json()
    assert order["referenceCustomerId"] == str(italian.entra_tenant_id)
    assert (order["status"], order["currencyCode"], order["pricesIncludeTax"]) == (
        "completed",
        "EUR",
        False,
    )
    assert (order["subtotal"], order["taxTotal"], order["total"]) == ("400.00", "88.00", "488.00")
    [line] = order["lineItems"]
    assert line["offerId"] == offer and line["quantity"] == 2
    assert line["pricing"] == {"unitPrice": "200", "extendedPrice": "400.00", "taxAmount": "88.00"}
    assert line["cancellation"]["allowed"] is True
    assert line["cancellation"]["daysRemaining"] == 60
    assert line["cancellation"]["creditPreview"] == "488.00"


def test_an_excluded_product_is_refused_with_market_unavailable(
    owner_partner, global_admin, api_client_for
):
    greenland = CustomerFactory(partner=owner_partner, country="GL", city="Nuuk")
    sku = priced_sku(countries=("IT",), family=ProductFamily.AZURE_RESERVATION)
    offer = sku.availabilities.get(market=market("IT")).catalog_item_id
    response = api_client_for(global_admin).post(
        _orders_url(greenland), _body(offer), format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "market_unavailable"
    assert body["errors"][0]["field"] == "lineItems.0"
    assert not Order.objects.all_partners().exists()


def test_a_replay_returns_the_first_response_byte_for_byte(
    italian, offer, global_admin, api_client_for
):
    client = api_client_for(global_admin)
    first = client.post(
        _orders_url(italian), _body(offer), format="json", HTTP_IDEMPOTENCY_KEY="order-42"
    )
    replay = client.post(
        _orders_url(italian), _body(offer), format="json", HTTP_IDEMPOTENCY_KEY="order-42"
    )
    assert first.status_code == replay.status_code == 201
    assert replay.content == first.content
    assert replay["Idempotency-Replayed"] == "true"
    assert Order.objects.all_partners().count() == 1


def test_ms_request_id_works_as_the_idempotency_key(italian, offer, global_admin, api_client_for):
    client = api_client_for(global_admin)
    first = client.post(
        _orders_url(italian), _body(offer), format="json", HTTP_MS_REQUESTID="req-7"
    )
    second = client.post(
        _orders_url(italian), _body(offer), format="json", HTTP_MS_REQUESTID="req-7"
    )
    assert second.content == first.content
    assert Order.objects.all_partners().count() == 1


def test_the_same_key_with_another_body_is_409(italian, offer, global_admin, api_client_for):
    client = api_client_for(global_admin)
    client.post(_orders_url(italian), _body(offer, 1), format="json", HTTP_IDEMPOTENCY_KEY="k")
    conflict = client.post(
        _orders_url(italian), _body(offer, 3), format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "idempotency_key_reused"
    assert Order.objects.all_partners().count() == 1


def test_a_refusal_is_replayed_too(owner_partner, global_admin, api_client_for):
    greenland = CustomerFactory(partner=owner_partner, country="GL", city="Nuuk")
    sku = priced_sku(countries=("IT",), family=ProductFamily.AZURE_RESERVATION)
    offer = sku.availabilities.get(market=market("IT")).catalog_item_id
    client = api_client_for(global_admin)
    first = client.post(
        _orders_url(greenland), _body(offer), format="json", HTTP_IDEMPOTENCY_KEY="gl"
    )
    again = client.post(
        _orders_url(greenland), _body(offer), format="json", HTTP_IDEMPOTENCY_KEY="gl"
    )
    assert first.status_code == again.status_code == 400
    assert again.content == first.content


def _posted_at_once(clients, customer, body, *, key) -> list:
    start = threading.Barrier(len(clients))
    responses = [None] * len(clients)

    def post(index):
        start.wait()
        try:
            responses[index] = clients[index].post(
                _orders_url(customer), body, format="json", HTTP_IDEMPOTENCY_KEY=key
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_with_one_key_create_one_order(owner_partner, api_client_for):
    from partners.tests.factories import UserFactory

    buyer = UserFactory(partner=owner_partner, roles=[Role.SALES_AGENT.value])
    customer = CustomerFactory(partner=owner_partner, country="IT")
    sku = priced_sku(countries=("IT",))
    offer = sku.availabilities.get(market=market("IT")).catalog_item_id
    clients = [api_client_for(buyer) for _ in range(4)]
    responses = _posted_at_once(clients, customer, _body(offer), key="race")
    assert [r.status_code for r in responses] == [201] * len(clients)
    assert len({r.content for r in responses}) == 1
    assert Order.objects.all_partners().count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_refused_get_one_refusal(owner_partner, api_client_for):
    from partners.tests.factories import UserFactory

    buyer = UserFactory(partner=owner_partner, roles=[Role.SALES_AGENT.value])
    greenland = CustomerFactory(partner=owner_partner, country="GL", city="Nuuk")
    sku = priced_sku(countries=("IT",), family=ProductFamily.AZURE_RESERVATION)
    offer = sku.availabilities.get(market=market("IT")).catalog_item_id
    clients = [api_client_for(buyer) for _ in range(4)]
    responses = _posted_at_once(clients, greenland, _body(offer), key="refused-race")
    assert [r.status_code for r in responses] == [400] * len(clients)
    assert len({r.content for r in responses}) == 1
    replay = clients[0].post(
        _orders_url(greenland), _body(offer), format="json", HTTP_IDEMPOTENCY_KEY="refused-race"
    )
    assert (replay.status_code, replay.content) == (400, responses[0].content)
    assert replay["Idempotency-Replayed"] == "true"
    assert not Order.objects.all_partners().exists()


def test_orders_are_listed_newest_first_and_read_one_by_one(italian, global_admin, api_client_for):
    older, newer = order_for(italian), order_for(italian)
    client = api_client_for(global_admin)
    listed = client.get(_orders_url(italian)).json()
    assert [o["id"] for o in listed["items"]] == [str(newer.id), str(older.id)]
    one = client.get(f"{_orders_url(italian)}/{older.id}").json()
    assert one["alternateId"] == older.alternate_id


def test_validation_errors_name_the_fields(italian, global_admin, api_client_for):
    response = api_client_for(global_admin).post(
        _orders_url(italian), {"lineItems": [{"offerId": "x", "quantity": 0}]}, format="json"
    )
    body = response.json()
    assert response.status_code == 400
    assert body["errors"] == [
        {"field": "lineItems.0.quantity", "detail": body["errors"][0]["detail"]}
    ]


def test_a_billing_admin_cannot_order_but_can_not_read_either(
    italian, offer, role_users, api_client_for
):
    client = api_client_for(role_users[Role.BILLING_ADMIN])
    assert client.post(_orders_url(italian), _body(offer), format="json").status_code == 403
    assert client.get(_orders_url(italian)).status_code == 403


@pytest.mark.parametrize("order_id", ["nope", "00000000-0000-0000-0000-000000000000"])
def test_unknown_orders_are_404(italian, global_admin, api_client_for, order_id):
    response = api_client_for(global_admin).get(f"{_orders_url(italian)}/{order_id}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_another_partners_order_is_404(italian, outsider, api_client_for):
    order = order_for(italian)
    client = api_client_for(outsider)
    assert client.get(f"{_orders_url(italian)}/{order.id}").status_code == 404
    assert client.get(_orders_url(italian)).status_code == 404


def test_customer_products_follow_the_customers_market(owner_partner, global_admin, api_client_for):
    greenland = CustomerFactory(partner=owner_partner, country="GL", city="Nuuk")
    italian = CustomerFactory(partner=owner_partner, country="IT")
    reservation = priced_sku(countries=("IT",), family=ProductFamily.AZURE_RESERVATION)
    client = api_client_for(global_admin)

    def verdict(customer):
        body = client.get(
            f"/v1/customers/{customer.entra_tenant_id}/products",
            {"targetView": "AzureReservations"},
        ).json()
        [product] = [p for p in body["items"] if p["id"] == reservation.product.product_id]
        return product["isPurchasable"], product["unavailableReasonCode"]

    assert verdict(italian) == (True, None)
    assert verdict(greenland) == (False, "market_unavailable")
    bad = client.get(f"/v1/customers/{italian.entra_tenant_id}/products", {"targetView": "x"})
    assert bad.status_code == 400
