"""Buying software through a real browser, as the source document walks it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from catalog.tests.factories import priced_sku
from core.roles import Role
from customers.tests.factories import CustomerFactory
from orders.models import Order
from partners.tests.factories import UserFactory, totp_enrol
from tests.browser.helpers import sign_in, submit_totp_code

pytestmark = pytest.mark.browser


def test_an_admin_agent_finds_a_customer_by_domain_buys_and_sees_the_order(
    page, screenshot, owner_partner
):
    agent = UserFactory(
        partner=owner_partner, roles=[Role.ADMIN_AGENT.value], email="agent@owner.example"
    )
    secret = totp_enrol(agent)
    customer = CustomerFactory(
        partner=owner_partner,
        company_name="Contoso Italia S.p.A.",
        primary_domain="contosoitalia.onmicrosoft.com",
        country="IT",
    )
    CustomerFactory(partner=owner_partner, company_name="Fabrikam Srl")
    priced_sku(countries=("IT",), unit_price=Decimal("1000"), title="Windows Server 2022 Standard")

    sign_in(page, agent.email)
    submit_totp_code(page, secret)
    expect(page).to_have_url("/")
    page.locator("#main-menu").get_by_role("link", name="Customers").click()
    page.get_by_label("Find a customer by company name, tenant GUID or domain").fill(
        "contosoitalia.onmicrosoft.com"
    )
    page.get_by_role("button", name="Search").click()
    rows = page.locator("#customer-table tbody tr")
    expect(rows).to_have_count(1)
    screenshot("found-by-domain")
    rows.get_by_role("link", name="Contoso Italia S.p.A.").click()

    page.locator("#add-products").click()
    product = page.locator("article.catalogue-product", has_text="Windows Server 2022 Standard")
    product.get_by_label("Quantity").fill("2")
    product.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("status")).to_contain_text("Added to the cart.")
    screenshot("added-to-cart")

    page.locator("#review-cart").click()
    expect(page.locator("#tax-terms")).to_contain_text("Prices exclude tax in Italy")
    expect(page.locator("#review-subtotal")).to_have_text("€2,000.00")
    expect(page.locator("#review-tax")).to_have_text("€440.00")
    expect(page.locator("#review-total")).to_have_text("€2,440.00")
    screenshot("review")
    page.get_by_role("button", name="Place order").click()

    expect(page.locator("#order-confirmation")).to_contain_text("is complete")
    order = Order.objects.all_partners().get(customer=customer)
    expect(page.locator("#order-confirmation")).to_contain_text(order.alternate_id)
    screenshot("confirmation")

    page.get_by_role("link", name="Order history", exact=True).click()
    expect(page.locator("#order-history tbody tr")).to_have_count(1)
    expect(page.locator("#order-history")).to_contain_text(order.alternate_id)
    screenshot("order-history")
    page.get_by_role("link", name="Software", exact=True).click()
    expect(page.locator("#software-table")).to_contain_text("Windows Server 2022 Standard")
    expect(page.locator("#software-table")).to_contain_text(order.alternate_id)
    screenshot("software-tab")
