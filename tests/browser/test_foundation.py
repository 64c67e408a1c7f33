"""The foundation seen through a real browser: sign-in, role-shaped navigation, language, TOTP."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Response, expect

from core.roles import Role
from partners.tests.factories import UserFactory, totp_enrol
from tests.browser.helpers import (
    PASSWORD,
    expect_menus,
    sign_in,
    sign_out,
    submit_totp_code,
)

pytestmark = pytest.mark.browser


def test_navigation_follows_roles_and_language(page, screenshot, role_users):
    sales_agent = role_users[Role.SALES_AGENT]
    account_admin = role_users[Role.ACCOUNT_ADMIN]

    page.goto("/")
    expect(page.get_by_role("button", name="Sign In")).to_be_visible()
    screenshot("sign-in-page")

    sign_in(page, sales_agent.email)
    expect(page).to_have_url("/")
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    expect_menus(
        page, main=["Customers", "Catalogue", "Support"], gear=["API tokens", "Preferences"]
    )
    gear = page.locator("#gear-menu")
    expect(gear.get_by_role("link", name="Activity log")).to_have_count(0)
    expect(gear.get_by_role("link", name="Users")).to_have_count(0)
    screenshot("sales-agent-menus")

    sign_out(page)
    screenshot("signed-out")

    sign_in(page, account_admin.email)
    expect(page).to_have_url("/")
    expect_menus(
        page, main=["Invoices", "Support"], gear=["Activity log", "API tokens", "Preferences"]
    )
    main_menu = page.locator("#main-menu")
    expect(main_menu.get_by_role("link", name="Customers")).to_have_count(0)
    expect(main_menu.get_by_role("link", name="Catalogue")).to_have_count(0)
    expect(page.locator("#gear-menu").get_by_role("link", name="Users")).to_have_count(0)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    screenshot("account-admin-menus")

    page.locator("#language-select").select_option("it")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "it")
    expect(page).to_have_url("/")
    expect_menus(
        page, main=["Fatture", "Supporto"], gear=["Log attività", "Token API", "Preferenze"]
    )
    expect(page.get_by_role("button", name="Cambia lingua")).to_be_visible()
    screenshot("account-admin-italian")
    account_admin.refresh_from_db()
    assert account_admin.language == "it"


def test_admin_agent_signs_in_with_totp(page, screenshot, owner_partner):
    admin_agent = UserFactory(
        partner=owner_partner, roles=[Role.ADMIN_AGENT.value], email="agent@owner.example"
    )
    secret = totp_enrol(admin_agent)

    sign_in(page, admin_agent.email)
    expect(page).to_have_url("/accounts/2fa/authenticate/")
    expect(page.locator("input[name=code]")).to_be_visible()
    screenshot("totp-step")

    submit_totp_code(page, secret)
    expect(page).to_have_url("/")
    expect_menus(
        page, main=["Customers", "Catalogue", "Support"], gear=["API tokens", "Preferences"]
    )
    screenshot("admin-agent-menus")


def test_admin_agent_without_totp_is_sent_to_enrol(page, screenshot, owner_partner):
    admin_agent = UserFactory(
        partner=owner_partner, roles=[Role.ADMIN_AGENT.value], email="new-agent@owner.example"
    )
    redirects: list[tuple[str, str]] = []

    def record_redirect(response: Response) -> None:
        if response.status == 302:
            redirects.append((urlsplit(response.url).path, response.headers.get("location", "")))

    page.on("response", record_redirect)

    sign_in(page, admin_agent.email)
    expect(page).to_have_url(re.compile(r"/accounts/(2fa/totp/activate|reauthenticate)/"))
    # Sign-in lands on the home page, which the MFA gate turns into enrolment.
    assert ("/", "/accounts/2fa/totp/activate/?next=/") in redirects
    if urlsplit(page.url).path == "/accounts/reauthenticate/":
        # allauth asks for the password again before any MFA change (MFA_REAUTHENTICATION_REQUIRED
        # defaults to True), even straight after signing in.
        screenshot("reauthenticate")
        page.locator("input[name=password]").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url("/accounts/2fa/totp/activate/?next=/")
    expect(page.locator("input[name=code]")).to_be_visible()
    screenshot("totp-enrolment")

    page.goto("/customers/")
    expect(page).to_have_url("/accounts/2fa/totp/activate/?next=/customers/")
