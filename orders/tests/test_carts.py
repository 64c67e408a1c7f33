"""/v1/customers/{id}/carts: a cart is checked as an order would be and checks out once."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.roles import Role
from core.tenancy import partner_scope
from orders.models import Cart, Order


@pytest.fixture
def api(global_admin, api_client_for):
    return api_client_for(global_admin)


def _carts(customer) -> str:
    return f"/v1/customers/{customer.entra_tenant_id}/carts"


def _cart(api, customer, offer, quantity=1) -> dict:
    response = api.post(
        _carts(customer),
        {"lineItems": [{"catalogItemId": offer, "quantity": quantity}]},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def _orders(owner_partner) -> int:
    with partner_scope(owner_partner):
        return Order.objects.count()


def test_a_line_an_order_would_refuse_is_refused_and_no_cart_is_kept(
    italian, offer, api, owner_partner
):
    response = api.post(
        _carts(italian),
        {"lineItems": [{"catalogItemId": offer, "quantity": 1},
                       {"catalogItemId": "NOPE:0001:NOPE", "quantity": 1}]},
        format="json",
    )
    assert response.status_code == 400
    problem = response.json()
    assert (problem["code"], problem["errors"][0]["field"]) == (
        "invalid_catalog_item", "lineItems.1",
    )
    with partner_scope(owner_partner):
        assert not Cart.objects.exists()


def test_two_lines_with_one_id_are_refused(italian, offer, api):
    response = api.post(
        _carts(italian),
        {"lineItems": [{"id": 0, "catalogItemId": offer, "quantity": 1},
                       {"id": 0, "catalogItemId": offer, "quantity": 2}]},
        format="json",
    )
    assert (response.status_code, response.json()["errors"][0]["field"]) == (400, "lineItems")


def test_a_cart_checks_out_into_one_order_once(italian, offer, api, owner_partner):
    cart = _cart(api, italian, offer, quantity=3)
    checkout = api.post(f"{_carts(italian)}/{cart['id']}/checkout")
    assert checkout.status_code == 201
    [order] = checkout.json()["orders"]
    assert [(line["offerId"], line["quantity"]) for line in order["lineItems"]] == [(offer, 3)]
    again = api.post(f"{_carts(italian)}/{cart['id']}/checkout")
    assert (again.status_code, again.json()["code"]) == (409, "cart_checked_out")
    changed = api.put(f"{_carts(italian)}/{cart['id']}",
                      {"lineItems": [{"catalogItemId": offer, "quantity": 1}]}, format="json")
    assert (changed.status_code, changed.json()["code"]) == (409, "cart_checked_out")
    assert _orders(owner_partner) == 1


def test_a_checkout_replayed_with_its_idempotency_key_answers_the_first_order(
    italian, offer, api, owner_partner
):
    cart = _cart(api, italian, offer)
    url = f"{_carts(italian)}/{cart['id']}/checkout"
    first = api.post(url, HTTP_IDEMPOTENCY_KEY="checkout-1")
    replay = api.post(url, HTTP_IDEMPOTENCY_KEY="checkout-1")
    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay["Idempotency-Replayed"] == "true"
    assert replay.json()["orders"][0]["id"] == first.json()["orders"][0]["id"]
    assert _orders(owner_partner) == 1


def test_an_expired_cart_neither_changes_nor_checks_out(italian, offer, api, owner_partner):
    cart = _cart(api, italian, offer)
    with partner_scope(owner_partner):
        Cart.objects.filter(id=cart["id"]).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert api.get(f"{_carts(italian)}/{cart['id']}").json()["status"] == "Expired"
    checkout = api.post(f"{_carts(italian)}/{cart['id']}/checkout")
    assert (checkout.status_code, checkout.json()["code"]) == (410, "cart_expired")
    assert _orders(owner_partner) == 0


def test_replacing_the_lines_restarts_the_expiry(italian, offer, api):
    cart = _cart(api, italian, offer)
    changed = api.put(f"{_carts(italian)}/{cart['id']}",
                      {"lineItems": [{"id": 4, "catalogItemId": offer, "quantity": 5}]},
                      format="json").json()
    assert [(line["id"], line["quantity"]) for line in changed["lineItems"]] == [(4, 5)]
    assert changed["expirationTimestamp"] >= cart["expirationTimestamp"]


def test_a_billing_admin_without_buying_rights_is_refused(italian, offer, role_users,
                                                          api_client_for):
    reader = api_client_for(role_users[Role.BILLING_ADMIN])
    response = reader.post(_carts(italian), {"lineItems": [{"catalogItemId": offer,
                                                            "quantity": 1}]}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "role_required")


@pytest.mark.django_db(transaction=True)
def test_concurrent_checkouts_of_one_cart_place_one_order(
    italian, offer, global_admin, api_client_for, owner_partner
):
    cart = _cart(api_client_for(global_admin), italian, offer)
    url = f"{_carts(italian)}/{cart['id']}/checkout"
    clients = [api_client_for(global_admin) for _ in range(4)]
    start = threading.Barrier(len(clients))
    statuses = [None] * len(clients)

    def checkout(index):
        start.wait()
        try:
            statuses[index] = clients[index].post(
                url, HTTP_IDEMPOTENCY_KEY=f"checkout-{index}"
            ).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=checkout, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 409, 409, 409]
    assert _orders(owner_partner) == 1
