"""The demo as a new user meets it: an Italian browser gets Italian in the source's words, an
Admin agent's dashboard leads to a purchase whose window closes this week and cancels it, and the
main story works on a phone without a table pushing the page sideways.

The demo data is `seed_demo`'s (with the test password), so what is seen here is what
`make run` shows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from partners.models import User
from partners.tests.factories import totp_enrol
from tests.browser.conftest import PHONE
from tests.browser.helpers import (
    PASSWORD,
    open_gear_menu,
    serious_accessibility_violations,
    sign_in,
    submit_totp_code,
)

pytestmark = pytest.mark.browser

WINDOWS_SERVER = "DG7GMGF0DVT0"
# Every table wider than the screen must scroll inside its own box; the page itself never does.
LAYOUT_PROBLEMS = """() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  if (document.documentElement.scrollWidth > width + 1) {
    problems.push(`the page is ${document.documentElement.scrollWidth}px wide`);
  }
  for (const table of document.querySelectorAll("table")) {
    if (table.closest(".visually-hidden")) continue;
    if (table.getBoundingClientRect().width <= width + 1) continue;
    let scrolls = false;
    for (let node = table.parentElement; node && node !== document.body;
         node = node.parentElement) {
      const overflow = getComputedStyle(node).overflowX;
      if ((overflow === "auto" || overflow === "scroll")
          && node.getBoundingClientRect().width <= width + 1) { scrolls = true; break; }
    }
    if (!scrolls) problems.push(`table#${table.id || "?"}.${table.className} overflows`);
  }
  return problems;
}"""


@pytest.fixture
def demo(settings, tmp_path, monkeypatch):
    """`seed_demo`'s partners, users and data, signed in to with the tests' password."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.INVOICE_PDF_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "invoices")},
    }
    settings.SUPPORT_ATTACHMENT_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "support-attachments")},
    }
    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    call_command("seed_demo", stdout=StringIO())
    return {user.email: user for user in User.objects.all()}


def _screenshots(page: Page, folder: Path) -> Callable[[str], None]:
    taken = 0

    def take(step: str) -> None:
        nonlocal taken
        taken += 1
        page.screenshot(path=folder / f"{taken:02d}-{step}.png", full_page=True)

    return take


def test_an_italian_browser_gets_italian_in_the_sources_words(
    another_browser, screenshot_dir, demo
):
    page = another_browser(locale="it-IT")
    shot = _screenshots(page, screenshot_dir)
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "it")
    shot("accedi")
    page.locator("input[name=login]").fill("globaladmin@northwind.example")
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()

    expect(page).to_have_url("/")
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    expect(page.locator("#main-menu")).to_contain_text("Clienti")
    expect(page.locator("#closing-purchases")).to_contain_text("Finestre di annullamento")
    expect(page.locator("#customer-chart")).to_contain_text("Spesa per cliente")
    shot("dashboard")

    open_gear_menu(page)
    page.locator("#gear-menu").get_by_role("link", name="Utenti", exact=True).click()
    for role in ("Amministratore degli account", "Amministratore delle segnalazioni",
                 "Amministratore di contenuti di marketing", "Agente amministratore"):
        expect(page.locator("main")).to_contain_text(role)
    shot("utenti")

    page.locator("#main-menu").get_by_role("link", name="Clienti").click()
    page.get_by_role("link", name="Contoso Italia S.p.A.").click()
    page.get_by_role("link", name="Software", exact=True).click()
    table = page.locator("#software-table")
    expect(table.get_by_role("columnheader", name="Numero di ordine")).to_be_visible()
    expect(table.get_by_role("link", name="richiesta di assistenza clienti").first).to_be_visible()
    expect(table).to_contain_text("Non può essere annullato né scambiato.")
    shot("software")

    table.get_by_role("link", name="richiesta di assistenza clienti").first.click()
    expect(page.get_by_label("Tipo di problema")).to_have_value("csp_purchase_refund")
    expect(page.get_by_label("Tipo di problema").locator("option:checked")).to_have_text(
        "CSP Purchase/Refund on behalf of customers"
    )
    expect(page.get_by_label("GUID del tenant o nome di dominio del cliente")).to_be_visible()
    shot("richiesta-di-assistenza")

    page.goto("/catalogue/?country=GL")
    reservation = page.locator('article[data-product-id="DZH318Z0BQ4L"]')
    expect(reservation).to_contain_text("Vantaggio Azure Hybrid")
    reservation.get_by_role("link", name="Mercati in cui le prenotazioni di Azure non sono "
                            "disponibili").click()
    markets = page.locator("#unavailable-markets li")
    expect(markets).to_have_count(109)
    expect(page.locator("#unavailable-markets")).to_contain_text("Città del Vaticano")
    expect(page.locator("#unavailable-markets")).to_contain_text("Swaziland")
    expect(page.locator("#unavailable-markets mark")).to_have_text("Groenlandia")
    shot("mercati-non-disponibili")
    assert serious_accessibility_violations(page) == []


def test_an_admin_agent_cancels_a_purchase_closing_this_week_from_the_dashboard(
    page, screenshot, demo
):
    agent = demo["agent@northwind.example"]
    secret = totp_enrol(agent)
    sign_in(page, agent.email)
    submit_totp_code(page, secret)
    expect(page).to_have_url("/")
    closing = page.locator("#closing-purchases tbody tr", has_text="Contoso Italia S.p.A.")
    expect(closing).to_have_count(1)
    expect(closing).to_contain_text("Windows Server 2022 Standard")
    expect(closing.locator(".days-left")).to_have_text(re.compile(r"^[1-7] days?$"))
    order_number = closing.locator("td").nth(1).inner_text()
    screenshot("dashboard")
    assert serious_accessibility_violations(page) == []

    closing.get_by_role("link", name="Cancel Windows Server 2022 Standard for Contoso").click()
    expect(page.locator("#cancel-facts")).to_contain_text("remain to cancel this order")
    expect(page.get_by_label("Order number").locator("option:checked")).to_contain_text(
        order_number
    )
    page.get_by_label("I have read the Important notice").check()
    screenshot("cancel")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#cancel-confirmation")).to_contain_text("up to 15 minutes")
    screenshot("cancelled")

    page.goto("/")
    expect(page.locator("#closing-purchases")).to_contain_text(
        "No purchase's cancellation window closes in the next 7 days."
    )
    screenshot("dashboard-after")


def test_the_main_story_works_on_a_phone(another_browser, screenshot_dir, demo):
    page = another_browser(viewport=PHONE)
    shot = _screenshots(page, screenshot_dir)
    layout: dict[str, list[str]] = {}

    def step(name: str) -> None:
        shot(name)
        found = page.evaluate(LAYOUT_PROBLEMS) + serious_accessibility_violations(page)
        if found:
            layout[name] = found

    agent = demo["agent@northwind.example"]
    secret = totp_enrol(agent)
    sign_in(page, agent.email)
    step("sign-in")
    submit_totp_code(page, secret)
    expect(page).to_have_url("/")
    step("dashboard")

    page.locator("#main-menu").get_by_role("link", name="Customers").click()
    page.get_by_label("Find a customer by company name, tenant GUID or domain").fill("Contoso")
    page.get_by_role("button", name="Search").click()
    step("customers")
    page.get_by_role("link", name="Contoso Italia S.p.A.").click()
    step("customer")
    page.locator("#add-products").click()
    product = page.locator(f'article[data-product-id="{WINDOWS_SERVER}"]')
    product.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("status")).to_contain_text("Added to the cart.")
    step("add-products")
    page.locator("#review-cart").click()
    step("review")
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("#order-confirmation")).to_contain_text("is complete")
    order_number = re.search(r"[23456789BCDFGHJKLMNPQRSTVWXZ]{10}",
                             page.locator("#order-confirmation").inner_text()).group(0)
    step("order-placed")

    page.get_by_role("link", name="Software", exact=True).click()
    row = page.locator("#software-table tbody tr", has_text=order_number)
    purchase_id = row.get_attribute("data-purchase")
    page.get_by_text("Select product: Windows Server 2022 Standard").first.click()
    page.locator(f"#select-{purchase_id} form.variant-form").get_by_role(
        "button", name="Submit").click()
    step("software")
    page.locator(f"#get-keys-{purchase_id}").click()
    expect(page.locator(".activation-key")).to_be_visible()
    step("keys-and-downloads")

    page.get_by_role("link", name="Software", exact=True).click()
    row.get_by_role("link", name="Cancel", exact=True).click()
    dialog = page.locator("#cancel-dialog")
    expect(dialog.locator("#cancel-facts")).to_contain_text("days remain")
    dialog.get_by_label("I have read the Important notice").check()
    step("cancel-dialog")
    dialog.get_by_role("button", name="Submit").click()
    expect(page.locator("#cancel-confirmation")).to_contain_text("up to 15 minutes")
    step("cancelled")

    # The Global admin's pages on the same screen: the spend charts, invoices, users, the log.
    page = another_browser(viewport=PHONE)
    shot = _screenshots(page, screenshot_dir / "global-admin")
    (screenshot_dir / "global-admin").mkdir()
    sign_in(page, "globaladmin@northwind.example")
    expect(page).to_have_url("/")
    step("global-admin-dashboard")
    for path in ("/invoices/", "/invoices/unbilled/", "/catalogue/", "/support/",
                 "/settings/users/", "/settings/activity-log/"):
        page.goto(path)
        step(path.strip("/").replace("/", "-"))
    page.goto("/invoices/")
    page.locator("#invoice-list tbody a").first.click()
    step("invoice")
    assert layout == {}
