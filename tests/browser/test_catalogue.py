"""The demo catalogue through a real browser: the same reservations, sold in one market only."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.roles import Role
from demo.catalog import demo_catalog_seed
from tests.browser.helpers import sign_in

RESERVATION = "DZH318Z0BQ4L"

pytestmark = pytest.mark.browser


def test_browses_the_demo_catalogue_for_italy_and_greenland_and_sees_where_reservations_sell(
    page, screenshot, role_users, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    demo_catalog_seed()
    sign_in(page, role_users[Role.SALES_AGENT].email)
    page.locator("#main-menu").get_by_role("link", name="Catalogue").click()

    expect(page).to_have_url("/catalogue/")
    expect(page.get_by_label("Market")).to_have_value("IT")
    expect(page.locator("#market-terms")).to_contain_text("Prices exclude tax.")
    reservation = page.locator(f'article[data-product-id="{RESERVATION}"]')
    expect(reservation.get_by_role("heading")).to_have_text(
        "Azure reserved VM instances, Dv5 series"
    )
    expect(reservation.locator(".availability")).to_have_text("Available")
    expect(reservation.locator("tbody tr")).to_have_count(2)
    expect(reservation.locator(".tax-label").first).to_have_text("excludes tax")
    screenshot("italy")

    page.get_by_label("Market").select_option(label="Greenland")
    page.get_by_role("button", name="Show products").click()

    expect(page).to_have_url("/catalogue/?country=GL&targetView=&q=")
    expect(page.get_by_label("Market")).to_have_value("GL")
    expect(reservation.locator(".availability")).to_have_text(
        "Unavailable: Azure reservations are not available in Greenland."
    )
    expect(reservation.locator(".price")).to_have_count(0)
    screenshot("greenland")

    page.get_by_label("Products").select_option(label="Azure reservations")
    page.get_by_role("button", name="Show products").click()
    expect(page.locator("article.catalogue-product")).to_have_count(1)
    expect(reservation).to_have_class("catalogue-product is-unavailable")
    screenshot("greenland-reservations-only")
