"""Placing orders: prices and tax per market, refusals, history, and the pages' query counts."""

import uuid
from decimal import Decimal

import pytest

from activity.models import Event, OperationType
from catalog.models import ProductFamily
from catalog.tests.factories import market, priced_sku
from core.errors import PortalError
from core.roles import Role
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from orders.models import Order, Purchase
from orders.quotes import LineRequest
from orders.services.placing import order_place
from orders.tests.factories import order_for


def _line(sku, country, quantity):
    offer = sku.availabilities.get(market=market(country)).catalog_item_id
    return LineRequest(offer_id=offer, quantity=quantity)


def _place(customer, actor, lines):
    with partner_scope(customer.partner):
        return order_place(partner=customer.partner, actor=actor, customer=customer, lines=lines)


@pytest.fixture(autouse=True)
def _owner_scope(owner_partner):
    """Reads in these tests are the owner partner's, as in its requests."""
    with partner_scope(owner_partner):
        yield


@pytest.fixture
def australian(owner_partner):
    return CustomerFactory(partner=owner_partner, country="AU", city="Sydney")


def test_tax_is_added_in_a_tax_exclusive_market(italian, global_admin):
    # IT: VAT 22% added on top, rounded per line to the cent.
    server = priced_sku(countries=("IT",), unit_price=Decimal("1000.00"))
    cal = priced_sku(countries=("IT",), unit_price=Decimal("12.3456"))
    order = _place(italian, global_admin, [_line(server, "IT", 3), _line(cal, "IT", 7)])
    lines = list(order.lines.order_by("line_number"))
    assert [(line.extended_price, line.tax_amount, line.total) for line in lines] == [
        (Decimal("3000.00"), Decimal("660.00"), Decimal("3660.00")),
        (Decimal("86.42"), Decimal("19.01"), Decimal("105.43")),
    ]
    assert (order.currency_code, order.prices_include_tax) == ("EUR", False)
    assert (order.subtotal, order.tax_total, order.total) == (
        Decimal("3086.42"),
        Decimal("679.01"),
        Decimal("3765.43"),
    )


def test_tax_is_contained_in_a_tax_inclusive_market(australian, global_admin):
    # AU: GST 10% is inside the price: tax = price × 10 / 110.
    server = priced_sku(countries=("AU",), unit_price=Decimal("1100.00"))
    small = priced_sku(countries=("AU",), unit_price=Decimal("99.99"))
    order = _place(australian, global_admin, [_line(server, "AU", 2), _line(small, "AU", 1)])
    lines = list(order.lines.order_by("line_number"))
    assert [(line.extended_price, line.tax_amount, line.total) for line in lines] == [
        (Decimal("2200.00"), Decimal("200.00"), Decimal("2200.00")),
        (Decimal("99.99"), Decimal("9.09"), Decimal("99.99")),
    ]
    assert (order.currency_code, order.prices_include_tax) == ("AUD", True)
    assert (order.subtotal, order.tax_total, order.total) == (
        Decimal("2299.99"),
        Decimal("209.09"),
        Decimal("2299.99"),
    )


def test_an_excluded_product_is_refused_and_nothing_is_stored(owner_partner, global_admin):
    greenland = CustomerFactory(partner=owner_partner, country="GL", city="Nuuk")
    reservation = priced_sku(
        countries=("IT",), family=ProductFamily.AZURE_RESERVATION, title="Reserved VM"
    )
    # A forged line: the Italian offer of a product Greenland may not buy.
    with pytest.raises(PortalError) as error:
        _place(greenland, global_admin, [_line(reservation, "IT", 1)])
    assert error.value.code == "market_unavailable"
    assert "Greenland" in error.value.message
    assert not Order.objects.all_partners().exists()
    assert not Purchase.objects.all_partners().exists()


def test_another_markets_offer_is_refused(italian, global_admin):
    sku = priced_sku(countries=("DE", "IT"))
    with pytest.raises(PortalError) as error:
        _place(italian, global_admin, [_line(sku, "DE", 1)])
    assert error.value.code == "invalid_catalog_item"


@pytest.mark.parametrize("quantity", [0, 1001])
def test_quantity_outside_the_skus_range_is_refused(italian, global_admin, quantity):
    sku = priced_sku(countries=("IT",))
    with pytest.raises(PortalError) as error:
        _place(italian, global_admin, [_line(sku, "IT", quantity)])
    assert error.value.code == "quantity_out_of_range"


@pytest.mark.parametrize("offer", ["", "nonsense", "AAAAAAAAAAAA:0001:BBBBBBBBBBBB"])
def test_unknown_offers_are_refused(italian, global_admin, offer):
    with pytest.raises(PortalError) as error:
        _place(italian, global_admin, [LineRequest(offer_id=offer, quantity=1)])
    assert error.value.code == "invalid_catalog_item"


def test_an_order_books_purchases_that_come_with_keys_and_an_event(italian, global_admin):
    order = order_for(italian, actor=global_admin, issues_keys=True, title="Windows Server 2022")
    with partner_scope(italian.partner):
        [line] = Purchase.objects.filter(order=order)
        [event] = Event.objects.filter(operation_type=OperationType.CREATE_ORDER)
    assert line.issues_keys, "its key is generated the first time an Admin agent asks for it"
    assert event.customer == italian and event.actor == global_admin
    assert event.details["lineItems"] == [
        {"offerId": line.catalog_item_id, "productTitle": "Windows Server 2022", "quantity": 1}
    ]


def test_a_subscription_line_records_its_term(italian, global_admin):
    order = order_for(
        italian, billing="subscription", term="P3Y", family=ProductFamily.SERVER_SUBSCRIPTION
    )
    line = order.lines.get()
    assert line.term_start_at == order.placed_at
    assert (line.term_end_at.year - line.term_start_at.year, line.term_end_at.month) == (
        3,
        line.term_start_at.month,
    )


def _buy_through_the_pages(client, customer, sku):
    offer = sku.availabilities.get(market=market(customer.country.code)).catalog_item_id
    base = f"/customers/{customer.entra_tenant_id}"
    assert client.get(f"{base}/add-products/").status_code == 200
    client.post(f"{base}/cart/add/", {"offer_id": offer, "quantity": 2})
    review = client.get(f"{base}/cart/")
    submission = review.context["place_form"].initial["submission_id"]
    return client.post(f"{base}/cart/place/", {"submission_id": submission}), submission


def test_a_sales_agent_buys_through_add_products_review_and_place(italian, role_users, client_for):
    client = client_for(role_users[Role.SALES_AGENT])
    sku = priced_sku(countries=("IT",), unit_price=Decimal("50"), title="SQL Server 2022 Standard")
    response, submission = _buy_through_the_pages(client, italian, sku)
    order = Order.objects.all_partners().get()
    assert response.status_code == 302
    assert (
        response["Location"] == f"/customers/{italian.entra_tenant_id}/orders/{order.id}/?placed=1"
    )
    confirmation = client.get(response["Location"])
    assert order.alternate_id in confirmation.content.decode()
    assert order.total == Decimal("122.00")
    # A double submit of the same review places nothing more.
    again = client.post(
        f"/customers/{italian.entra_tenant_id}/cart/place/", {"submission_id": submission}
    )
    assert again["Location"] == response["Location"]
    assert Order.objects.all_partners().count() == 1
    history = client.get(f"/customers/{italian.entra_tenant_id}/orders/").content.decode()
    software = client.get(f"/customers/{italian.entra_tenant_id}/software/").content.decode()
    assert order.alternate_id in history and "SQL Server 2022 Standard" in software


def test_a_billing_admin_cannot_buy(italian, role_users, client_for):
    client = client_for(role_users[Role.BILLING_ADMIN])
    base = f"/customers/{italian.entra_tenant_id}"
    assert client.get(f"{base}/add-products/").status_code == 403
    assert (
        client.post(f"{base}/cart/place/", {"submission_id": str(uuid.uuid4())}).status_code == 403
    )
    assert not Order.objects.all_partners().exists()


def test_the_review_shows_the_tax_terms_of_the_market(australian, global_admin, client_for):
    client = client_for(global_admin)
    sku = priced_sku(countries=("AU",), unit_price=Decimal("110"))
    offer = sku.availabilities.get(market=market("AU")).catalog_item_id
    client.post(
        f"/customers/{australian.entra_tenant_id}/cart/add/", {"offer_id": offer, "quantity": 1}
    )
    page = client.get(f"/customers/{australian.entra_tenant_id}/cart/").content.decode()
    assert "Prices include tax in Australia" in page
    assert "A$10.00" in page and "A$110.00" in page


def test_another_partners_customer_and_order_are_404(italian, outsider, client_for):
    order = order_for(italian)
    client = client_for(outsider)
    base = f"/customers/{italian.entra_tenant_id}"
    for path in (
        f"{base}/orders/",
        f"{base}/orders/{order.id}/",
        f"{base}/software/",
        f"{base}/add-products/",
    ):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("page", ["orders", "software"])
def test_customer_pages_issue_the_same_queries_for_1_and_50_orders(
    owner_partner, global_admin, client_for, page, statements_sent
):
    few, many = (CustomerFactory(partner=owner_partner) for _ in range(2))
    sku_few = priced_sku(countries=("IT",))
    order_for(few, sku=sku_few)
    sku = priced_sku(countries=("IT",))
    for _ in range(50):
        order_for(many, sku=sku)
    client = client_for(global_admin)
    client.get("/customers/")  # the session's first request also writes the session
    # A customer's first page also reads the rows the next ones find in the cache: the
    # customer, and the catalogue's variants on the Software page.
    for customer in (few, many):
        client.get(f"/customers/{customer.entra_tenant_id}/{page}/")
    counts = []
    for customer in (few, many):
        with statements_sent() as statements:
            assert client.get(f"/customers/{customer.entra_tenant_id}/{page}/").status_code == 200
        counts.append(len(statements))
    assert 0 < counts[0] == counts[1]


def test_the_api_orders_page_issues_the_same_queries_for_1_and_30_orders(
    owner_partner, global_admin, api_client_for, statements_sent
):
    few, many = (CustomerFactory(partner=owner_partner) for _ in range(2))
    order_for(few, sku=priced_sku(countries=("IT",)))
    sku = priced_sku(countries=("IT",))
    for _ in range(30):
        order_for(many, sku=sku)
    client = api_client_for(global_admin)
    counts = []
    for customer in (few, many):
        path = f"/v1/customers/{customer.entra_tenant_id}/orders"
        client.get(path)  # the customer's first read stores its copy in the cache
        with statements_sent() as statements:
            body = client.get(path).json()
        counts.append(len(statements))
        assert all(item["lineItems"] for item in body["items"])
    assert 0 < counts[0] == counts[1]
