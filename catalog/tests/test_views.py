"""The browse page: a market's catalogue, prices with their tax label, why a product is not sold."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.caching import catalog_version_bump
from catalog.models import ProductFamily
from core.roles import Role
from demo.catalog import demo_catalog_seed

from .factories import priced_sku

RESERVATION = "DZH318Z0BQ4L"


def _article(html: str, product_id: str) -> str:
    match = re.search(rf'<article[^>]*data-product-id="{product_id}".*?</article>', html, re.S)
    assert match, f"{product_id} is not on the page"
    return match.group(0)


@pytest.fixture
def sales_agent(role_users):
    demo_catalog_seed()
    return role_users[Role.SALES_AGENT]


def test_italy_shows_reservations_purchasable_with_prices_that_exclude_tax(
    sales_agent, client_for
):
    response = client_for(sales_agent).get("/catalogue/", {"country": "IT"})
    assert response.status_code == 200
    reservation = _article(response.content.decode(), RESERVATION)
    assert "Available" in reservation and "Unavailable" not in reservation
    assert "570,40\xa0€" in reservation or "€570.40" in reservation
    assert "excludes tax" in reservation
    assert "Prices exclude tax." in response.content.decode()


def test_greenland_shows_reservations_unavailable_with_the_reason(sales_agent, client_for):
    response = client_for(sales_agent).get("/catalogue/", {"country": "GL"})
    reservation = _article(response.content.decode(), RESERVATION)
    assert "Unavailable:" in reservation
    assert "Azure reservations are not available in Greenland." in reservation
    assert 'data-code="market_unavailable"' in reservation


def test_a_market_without_demo_prices_says_so_for_each_product(sales_agent, client_for):
    html = client_for(sales_agent).get("/catalogue/", {"country": "NO"}).content.decode()
    assert "Windows Server 2022 Standard has no price in Norway." in _article(html, "DG7GMGF0DVT0")


@pytest.mark.parametrize("code", ["AU", "BR"])
def test_australia_and_brazil_show_prices_that_include_tax(sales_agent, client_for, code):
    html = client_for(sales_agent).get("/catalogue/", {"country": code}).content.decode()
    assert "includes tax" in _article(html, "DG7GMGF0DVT0")
    assert "excludes tax" not in html
    assert "Prices include tax" in html


def test_the_partners_home_market_is_shown_first(sales_agent, client_for):
    response = client_for(sales_agent).get("/catalogue/")
    assert response.context["market"].country.code == sales_agent.partner.home_country.code == "IT"
    assert 'value="IT" selected' in response.content.decode()


def test_a_lower_case_country_code_is_understood_as_in_the_api(sales_agent, client_for):
    response = client_for(sales_agent).get("/catalogue/", {"country": "gl"})
    assert response.context["market"].country.code == "GL"


def test_the_family_filter_uses_the_apis_target_views(sales_agent, client_for):
    response = client_for(sales_agent).get(
        "/catalogue/", {"country": "IT", "targetView": "SoftwareSUSELinux"}
    )
    families = {entry.product.family for entry in response.context["entries"]}
    assert families == {ProductFamily.SOFTWARE_PLAN}
    assert "Cannot be cancelled or exchanged." in response.content.decode()


def test_the_search_finds_products_by_title(sales_agent, client_for):
    response = client_for(sales_agent).get("/catalogue/", {"country": "IT", "q": "sql server"})
    titles = [entry.product.title for entry in response.context["entries"]]
    assert len(titles) == 4 and all(title.startswith("SQL Server") for title in titles)


@pytest.mark.parametrize("country", ["ZZ", "ITA", "<b>"])
def test_an_unknown_country_gets_a_clear_message_and_no_catalogue(sales_agent, client_for, country):
    response = client_for(sales_agent).get("/catalogue/", {"country": country})
    assert response.status_code == 200
    assert response.context["entries"] == []
    assert "Select a valid choice" in response.content.decode()


def test_an_unknown_target_view_gets_a_clear_message(sales_agent, client_for):
    response = client_for(sales_agent).get("/catalogue/", {"country": "IT", "targetView": "Xbox"})
    assert response.context["entries"] == []
    assert "Select a valid choice" in response.content.decode()


def test_the_number_of_queries_does_not_grow_with_the_number_of_products(
    role_users, client_for
):
    client = client_for(role_users[Role.SALES_AGENT])

    def queries() -> int:
        catalog_version_bump()  # each request reads the catalogue, instead of its cached copy
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/catalogue/", {"country": "IT"}).status_code == 200
        return len(captured)

    priced_sku(countries=("IT",))
    queries()  # the first request of a session also loads what later ones find cached
    few = queries()
    for n in range(6):
        priced_sku(countries=("IT", "DE"), family=list(ProductFamily)[n % 4])
    assert queries() == few


def test_the_catalogue_is_in_the_menu_of_those_who_buy_software(role_users, client_for):
    for role, user in role_users.items():
        menu = client_for(user).get("/settings/preferences/").content.decode()
        assert ('data-nav="catalog:catalogue"' in menu) is (
            role in {Role.GLOBAL_ADMIN, Role.ADMIN_AGENT, Role.SALES_AGENT}
        ), role
