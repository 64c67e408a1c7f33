"""The source's table of markets without Azure reservations, in the reader's language and in the
source's own words, linked from every "not available in this market" message."""

import re
import unicodedata
from html import unescape

import pytest
from django.test import Client
from django.utils import translation

from catalog.data.reservation_exclusions import UNAVAILABLE_MARKETS
from catalog.models import Availability
from catalog.selectors import reservation_unavailable_markets
from core.roles import Role
from customers.tests.factories import CustomerFactory
from demo.catalog import demo_catalog_seed
from tests.seed_source import localised_segments

URL = "/catalogue/reservation-markets/"
RESERVATION, WINDOWS_SERVER, SQL_SERVER, SUSE = (
    "DZH318Z0BQ4L", "DG7GMGF0DVT0", "DG7GMGF0FLR2", "DZH318Z0BQ3T"
)


def _names(html: str) -> list[str]:
    listed = html.split('id="unavailable-markets">', 1)[1].split("</ul>", 1)[0]
    return [unescape(re.sub(r"<[^>]+>", "", item)) for item in re.findall(r"<li[^>]*>(.*?)</li>",
                                                                           listed)]


def _unaccented(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _source_table() -> dict[str, str]:
    """English name → Italian name, as the localised page's table prints them."""
    segments = localised_segments()
    start = next(i for i, (_it, en) in enumerate(segments) if en == "Unavailable markets") + 1
    return dict((en, it) for it, en in segments[start:start + len(UNAVAILABLE_MARKETS)])


@pytest.fixture
def sales_agent(role_users):
    return role_users[Role.SALES_AGENT]


def test_the_page_lists_the_sources_109_names_in_english(sales_agent, client_for):
    response = client_for(sales_agent).get(URL)
    assert response.status_code == 200
    names = _names(response.content.decode())
    assert len(names) == 109
    assert set(names) == set(UNAVAILABLE_MARKETS)
    assert {"Vatican City", "Swaziland", "Congo (DRC)", "Kosovo"} <= set(names)
    assert names == sorted(names, key=_unaccented)


def test_in_italian_every_name_is_the_sources_italian_name(sales_agent, client_for):
    sales_agent.language = "it"
    sales_agent.save(update_fields=["language"])
    html = client_for(sales_agent).get(URL).content.decode()
    source = _source_table()
    assert len(source) == 109 and set(source) == set(UNAVAILABLE_MARKETS)
    names = _names(html)
    assert sorted(names) == sorted(source.values())
    assert {"Città del Vaticano", "Swaziland", "Repubblica democratica del Congo"} <= set(names)
    assert names.index("Città del Vaticano") < names.index("Comore"), "sorted in Italian"
    assert "non sono</em> disponibili nei mercati seguenti" in html


def test_every_name_translates_to_the_source_in_both_languages():
    source = _source_table()
    for language, expected in (("en", {name: name for name in source}), ("it", source)):
        with translation.override(language):
            found = {m.country: m.name for m in reservation_unavailable_markets()}
            listed = [m.name for m in reservation_unavailable_markets()]
        assert sorted(listed) == sorted(expected.values()), language
        assert all(found[UNAVAILABLE_MARKETS[en]] for en in expected)


@pytest.mark.parametrize(
    ("country", "marked"),
    [("GL", ["Greenland"]), ("bq", ["Bonaire", "Saba", "Sint Eustatius"]), ("IT", []),
     ("<script>", []), ("x" * 5000, [])],
)
def test_the_customers_market_is_marked(sales_agent, client_for, country, marked):
    response = client_for(sales_agent).get(URL, {"country": country})
    assert response.status_code == 200
    html = response.content.decode()
    assert re.findall(r"<mark>(.*?)</mark>", html) == marked
    assert "<script>" not in html.split("<main", 1)[1]


def test_anyone_signed_in_may_read_it_and_visitors_are_sent_to_sign_in(role_users, client_for):
    for user in role_users.values():
        assert client_for(user).get(URL).status_code == 200
    assert Client().get(URL)["Location"].startswith("/accounts/login/")


def test_the_greenland_message_links_to_the_table_and_products_carry_the_hybrid_note(
    sales_agent, client_for, owner_partner
):
    demo_catalog_seed()
    greenland = CustomerFactory(partner=owner_partner, country="GL")
    client = client_for(sales_agent)
    for url in ("/catalogue/?country=GL", f"/customers/{greenland.entra_tenant_id}/add-products/"):
        html = client.get(url).content.decode()
        card = re.search(rf'<article[^>]*data-product-id="{RESERVATION}".*?</article>', html, re.S)
        assert "Azure reservations are not available in Greenland." in card.group(0)
        assert f'href="{URL}?country=GL"' in card.group(0), url
    html = client.get("/catalogue/?country=IT").content.decode()
    for product_id, has_note in ((RESERVATION, True), (WINDOWS_SERVER, True),
                                 (SQL_SERVER, False), (SUSE, False)):
        card = re.search(rf'<article[^>]*data-product-id="{product_id}".*?</article>', html, re.S)
        assert ("save up to 40 percent on virtual machines" in card.group(0)) is has_note
        assert (f'href="{URL}' in card.group(0)) is False, "sold in Italy: no link"


def test_an_order_refused_for_the_market_links_to_the_table(sales_agent, client_for, owner_partner):
    demo_catalog_seed()
    greenland = CustomerFactory(partner=owner_partner, country="GL")
    italian_offer = Availability.objects.get(
        sku__product__product_id=RESERVATION, sku__sku_id="0001", market_id="IT"
    ).catalog_item_id
    client = client_for(sales_agent)
    response = client.post(
        f"/customers/{greenland.entra_tenant_id}/cart/add/",
        {"offer_id": italian_offer, "quantity": 1}, follow=True,
    )
    html = response.content.decode()
    assert "Azure reservations are not available in Greenland." in html
    assert f'href="{URL}"' in html.split('class="messages"', 1)[1].split("</ul>", 1)[0]
    assert client.get(f"/customers/{greenland.entra_tenant_id}/cart/").content.decode().count(
        "Markets where Azure reservations are not available") == 0, "nothing was added"
