"""Get keys and downloads through a real browser, down to the file's SHA-256."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from playwright.sync_api import expect

from catalog.services import software_variant_store
from core.roles import Role
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from orders.tests.factories import order_for
from partners.tests.factories import UserFactory, totp_enrol
from software.models import ActivationKey
from tests.browser.helpers import sign_in, submit_totp_code

pytestmark = pytest.mark.browser


def test_an_admin_agent_gets_the_key_and_downloads_the_chosen_variant(
    page, screenshot, owner_partner, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    agent = UserFactory(
        partner=owner_partner, roles=[Role.ADMIN_AGENT.value], email="agent@owner.example"
    )
    secret = totp_enrol(agent)
    customer = CustomerFactory(partner=owner_partner, company_name="Contoso Italia", country="IT")
    order = order_for(customer, actor=agent, issues_keys=True, title="Windows Server 2022 Standard")
    with partner_scope(owner_partner):
        purchase = order.lines.get()
    variants = {
        (version, language, file_type): software_variant_store(
            product=purchase.product,
            version=version,
            language=language,
            file_type=file_type,
            filename=f"ws-{version}-{language}-{index}.bin",
            content=f"{version} {language} {file_type}".encode() * (100 + index),
        )
        for index, (version, language, file_type) in enumerate(
            [
                ("2022", "en-US", "ISO (x64)"),
                ("2022", "it-IT", "ISO (x64)"),
                ("2019", "it-IT", "VHDX"),
            ]
        )
    }
    chosen = variants[("2022", "it-IT", "ISO (x64)")]

    sign_in(page, agent.email)
    submit_totp_code(page, secret)
    page.goto(f"/customers/{customer.entra_tenant_id}/software/")
    expect(page.locator("#software-table")).to_contain_text("Windows Server 2022 Standard")
    page.get_by_text("Select product: Windows Server 2022 Standard").click()
    chooser = page.locator("form.variant-form")
    chooser.get_by_label("Version").select_option("2022")
    chooser.get_by_label("Language").select_option("it-IT")
    chooser.get_by_label("File type/OS").select_option("ISO (x64)")
    screenshot("variant-chosen")
    page.get_by_role("button", name="Submit").click()
    page.get_by_role("button", name="Get keys and downloads").click()

    expect(page.locator(".activation-key")).to_have_count(1)
    with partner_scope(owner_partner):
        key = ActivationKey.objects.get(purchase=purchase).value
    expect(page.locator(".activation-key")).to_have_text(key)
    expect(page.locator("#link-limits")).to_contain_text("50 more downloads")
    screenshot("keys-and-downloads")
    with page.expect_download() as download_info:
        page.locator("#download-button").click()
    downloaded = Path(download_info.value.path()).read_bytes()
    assert hashlib.sha256(downloaded).hexdigest() == chosen.sha256
