"""The source document's question in a real browser: who accessed keys and who downloaded software.

An Admin agent fetches a key and downloads the software; then the Account admin opens the
Activity log from the gear menu, picks the "Key access and downloads" preset and a date range,
finds the download, and finds it again in the exported CSV.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from catalog.services import software_variant_store
from core.roles import Role
from customers.tests.factories import CustomerFactory
from orders.tests.factories import order_for
from partners.tests.factories import UserFactory, totp_enrol
from tests.browser.helpers import open_gear_menu, sign_in, sign_out, submit_totp_code

pytestmark = pytest.mark.browser

KEY_ACCESS_OPERATIONS = {"get_software_key", "get_software_download_link", "software_download"}
PRODUCT = "Windows Server 2022 Standard"


def test_the_account_admin_finds_a_download_in_the_log_and_in_its_csv(
    page, screenshot, owner_partner, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    agent = UserFactory(
        partner=owner_partner, roles=[Role.ADMIN_AGENT.value], email="agent@northwind.example"
    )
    accounts = UserFactory(
        partner=owner_partner,
        roles=[Role.ACCOUNT_ADMIN.value],
        email="accounts@northwind.example",
        time_zone="Europe/Rome",
    )
    secret = totp_enrol(agent)
    customer = CustomerFactory(partner=owner_partner, company_name="Contoso Italia", country="IT")
    order = order_for(customer, actor=agent, issues_keys=True, title=PRODUCT)
    purchase = order.lines.model.objects.all_partners().get(order=order)
    software_variant_store(
        product=purchase.product,
        version="2022",
        language="it-IT",
        file_type="ISO (x64)",
        filename="ws2022-it.iso",
        content=b"iso image " * 1000,
    )

    sign_in(page, agent.email)
    submit_totp_code(page, secret)
    page.goto(f"/customers/{customer.entra_tenant_id}/software/")
    page.get_by_text(f"Select product: {PRODUCT}").click()
    page.get_by_role("button", name="Submit").click()
    page.get_by_role("button", name="Get keys and downloads").click()
    expect(page.locator(".activation-key")).to_be_visible()
    with page.expect_download() as software:
        page.locator("#download-button").click()
    assert Path(software.value.path()).read_bytes() == b"iso image " * 1000
    screenshot("agent-downloaded")
    sign_out(page)

    sign_in(page, accounts.email)
    open_gear_menu(page)
    page.locator("#gear-menu").get_by_role("link", name="Activity log").click()
    expect(page.get_by_role("heading", name="Activity log")).to_be_visible()
    today = timezone.localdate(timezone=ZoneInfo(accounts.time_zone))
    filters = page.locator("#activity-filters")
    filters.get_by_label("Operation").select_option(label="Key access and downloads")
    filters.get_by_label("From", exact=True).fill((today - timedelta(days=6)).isoformat())
    filters.get_by_label("To", exact=True).fill(today.isoformat())
    filters.get_by_role("button", name="Show").click()

    rows = page.locator("#activity-table tbody tr")
    download_row = page.locator('#activity-table tr[data-operation="software_download"]')
    expect(download_row).to_have_count(1)
    expect(download_row).to_contain_text(PRODUCT)
    expect(download_row).to_contain_text("Contoso Italia")
    key_row = page.locator('#activity-table tr[data-operation="get_software_key"]')
    expect(key_row).to_contain_text(agent.email)
    shown = {rows.nth(index).get_attribute("data-operation") for index in range(rows.count())}
    assert shown == KEY_ACCESS_OPERATIONS, "the preset shows exactly key access and downloads"
    expect(page.locator("#activity-chart")).to_be_visible()
    screenshot("activity-log-preset")

    with page.expect_download() as export:
        page.locator("#export-csv").click()
    assert export.value.suggested_filename == (
        f"activity-log-{today - timedelta(days=6):%Y%m%d}-{today:%Y%m%d}.csv"
    )
    exported = list(csv.DictReader(io.StringIO(Path(export.value.path()).read_text("utf-8-sig"))))
    assert {row["operationType"] for row in exported} == KEY_ACCESS_OPERATIONS
    [download] = [row for row in exported if row["operationType"] == "software_download"]
    assert (download["customerName"], download["productTitle"]) == ("Contoso Italia", PRODUCT)
    assert download["operationDate"].endswith("Z")
