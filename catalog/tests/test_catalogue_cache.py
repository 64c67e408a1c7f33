"""The catalogue page reads a market's priced catalogue once, and a change to it shows at once."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Price
from core.roles import Role

from .factories import MarketExclusionFactory, PriceFactory, priced_sku


@pytest.fixture
def browse(role_users, client_for, api_client_for):
    page = client_for(role_users[Role.SALES_AGENT])
    api = api_client_for(role_users[Role.SALES_AGENT])

    def shown(sku) -> tuple[str, str | None]:
        """The SKU's article on the Italian catalogue page and its price in the API."""
        html = page.get("/catalogue/", {"country": "IT"}).content.decode()
        match = re.search(
            rf'<article[^>]*data-product-id="{sku.product.product_id}".*?</article>', html, re.S
        )
        [item] = api.get(
            f"/v1/products/{sku.product.product_id}/skus/{sku.sku_id}/availabilities",
            {"country": "IT"},
        ).json()["items"]
        return match.group(0), item["unitPrice"]

    return shown


def test_a_price_change_shows_at_once_on_the_page_and_the_api(browse):
    sku = priced_sku(countries=("IT",), unit_price=Decimal("123.45"), title="Cached Suite")
    article, api_price = browse(sku)
    assert "123.45" in article and api_price == "123.4500"

    Price.objects.filter(availability__sku=sku).update(unit_price=Decimal("0"))  # no signal
    price = Price.objects.get(availability__sku=sku)
    price.unit_price = Decimal("678.90")
    price.save()

    article, api_price = browse(sku)
    assert "678.90" in article and "123.45" not in article
    assert api_price == "678.9000"


def test_an_exclusion_hides_the_product_at_once(browse):
    sku = priced_sku(countries=("IT",), title="Soon Excluded")
    article, _ = browse(sku)
    assert 'class="availability available"' in article

    exclusion = MarketExclusionFactory(product=sku.product)
    article, _ = browse(sku)
    assert "Unavailable:" in article and "Soon Excluded is not available in Italy." in article

    exclusion.delete()
    assert 'class="availability available"' in browse(sku)[0]


def test_a_price_that_starts_later_shows_from_its_first_moment(browse, time_machine):
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    sku = priced_sku(countries=("IT",), unit_price=Decimal("100"), title="Repriced Later")
    price = Price.objects.get(availability__sku=sku)
    price.valid_to = now + timedelta(minutes=10)
    price.save()
    PriceFactory(availability=price.availability, unit_price=Decimal("150"),
                 valid_from=now + timedelta(minutes=10))
    assert "100.00" in browse(sku)[0]

    time_machine.move_to(now + timedelta(minutes=10), tick=False)
    article = browse(sku)[0]
    assert "150.00" in article and "100.00" not in article


def test_the_next_request_reads_no_catalogue(role_users, client_for):
    priced_sku(countries=("IT",))
    client = client_for(role_users[Role.SALES_AGENT])
    client.get("/catalogue/", {"country": "IT"})
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/catalogue/", {"country": "IT"}).status_code == 200
    read = [query["sql"] for query in captured if '"catalog_' in query["sql"]]
    assert read == [query for query in read if '"catalog_market"' in query], read
