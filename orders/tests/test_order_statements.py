"""Placing an order through the API stays within its statements, so they cannot creep back."""

from decimal import Decimal

import pytest

from catalog.tests.factories import market, priced_sku
from customers.tests.factories import CustomerFactory
from orders.models import Order

# Issue 16 asks for at most 8, savepoints counted. With a key: the key's claim (INSERT ... ON
# CONFLICT), the order (INSERT ... ON CONFLICT on its number), its lines (one INSERT for all), the
# activity event and the key's answer. The API token, its user, the customer and the partner's
# webhook endpoints come from the cache once read (core.cached_rows); so do the quote's catalogue
# facts once an order of the offer was quoted. No savepoint: a refusal undoes the whole
# transaction; the answer is the order in memory, its credits too (a new order has none).
# Without a key, the claim and the answer go.
MOST_STATEMENTS_WITH_KEY = 5
MOST_STATEMENTS_WITHOUT_KEY = 3


def _placing_statements(statements_sent, client, url, body, **headers) -> list[str]:
    with statements_sent() as sql:
        response = client.post(url, body, format="json", **headers)
    assert response.status_code == 201
    assert Order.objects.all_partners().filter(id=response.json()["id"]).exists()
    # The test's own transaction turns the outermost one into a savepoint: that is not the
    # service's, and outside the test it is a BEGIN and COMMIT, which are not counted.
    outermost = next(s for s in sql if s.startswith("SAVEPOINT"))
    return [s for s in sql if s not in (outermost, f"RELEASE {outermost}")]


@pytest.mark.parametrize(
    ("headers", "most"),
    [
        ({"HTTP_IDEMPOTENCY_KEY": "statements-1"}, MOST_STATEMENTS_WITH_KEY),
        ({}, MOST_STATEMENTS_WITHOUT_KEY),
    ],
    ids=["with a key", "without a key"],
)
def test_placing_an_order_stays_within_its_statements(
    owner_partner, global_admin, api_client_for, headers, most, statements_sent
):
    customer = CustomerFactory(partner=owner_partner, country="IT")
    sku = priced_sku(countries=("IT",), unit_price=Decimal("200"), title="Windows Server 2022")
    offer = sku.availabilities.get(market=market("IT")).catalog_item_id
    client = api_client_for(global_admin)
    body = {"lineItems": [{"lineItemNumber": 0, "offerId": offer, "quantity": 1}]}
    url = f"/v1/customers/{customer.entra_tenant_id}/orders"
    # The first order caches what the others read: token, customer, offer facts, endpoints.
    assert client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="first").status_code == 201
    statements = _placing_statements(statements_sent, client, url, body, **headers)
    assert len(statements) <= most, statements
    assert not [s for s in statements if "SAVEPOINT" in s], statements


def test_the_lines_of_an_order_are_inserted_in_one_statement(
    owner_partner, global_admin, api_client_for, statements_sent
):
    customer = CustomerFactory(partner=owner_partner, country="IT")
    offers = [
        priced_sku(countries=("IT",), unit_price=Decimal("10"), title=f"Product {number}")
        .availabilities.get(market=market("IT")).catalog_item_id
        for number in range(3)
    ]
    client = api_client_for(global_admin)
    url = f"/v1/customers/{customer.entra_tenant_id}/orders"
    body = {"lineItems": [
        {"lineItemNumber": number, "offerId": offer, "quantity": 1}
        for number, offer in enumerate(offers)
    ]}
    assert client.post(url, body, format="json").status_code == 201
    statements = _placing_statements(statements_sent, client, url, body)
    assert len(statements) <= MOST_STATEMENTS_WITHOUT_KEY, statements


def test_the_answer_to_placing_an_order_is_the_order_as_read_back(
    owner_partner, global_admin, api_client_for, statements_sent
):
    customer = CustomerFactory(partner=owner_partner, country="IT")
    offers = [
        priced_sku(countries=("IT",), unit_price=Decimal(price), title=title)
        .availabilities.get(market=market("IT")).catalog_item_id
        for price, title in (("199.99", "Windows Server 2022"), ("12.5", "Office LTSC"))
    ]
    client = api_client_for(global_admin)
    url = f"/v1/customers/{customer.entra_tenant_id}/orders"
    body = {"lineItems": [
        {"lineItemNumber": number, "offerId": offer, "quantity": number + 1}
        for number, offer in enumerate(offers)
    ]}
    placed = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="read-back-1")
    assert placed.status_code == 201
    read = client.get(f"{url}/{placed.json()['id']}")
    assert placed.json() == read.json()
    assert [line["lineItemNumber"] for line in placed.json()["lineItems"]] == [0, 1]
