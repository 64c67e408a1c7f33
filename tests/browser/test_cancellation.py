"""Cancelling through the Cancel dialog in a real browser, completed by a real worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from catalog.tests.factories import priced_sku
from core.roles import Role
from customers.tests.factories import CustomerFactory
from orders.tests.factories import order_for
from partners.tests.factories import UserFactory, totp_enrol
from tests.browser.helpers import sign_in, submit_totp_code

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def test_cancel_a_recent_purchase_and_find_a_late_one_refused(
    page, screenshot, owner_partner, celery_worker, settings
):
    settings.CANCELLATION_PROPAGATION_DELAY_SECONDS = 2
    agent = UserFactory(
        partner=owner_partner, roles=[Role.ADMIN_AGENT.value], email="agent@owner.example"
    )
    secret = totp_enrol(agent)
    customer = CustomerFactory(partner=owner_partner, company_name="Contoso Italia", country="IT")
    sku = priced_sku(countries=("IT",), title="Windows Server 2022 Standard", issues_keys=True)
    late = order_for(customer, sku=sku, at=timezone.now() - timedelta(days=75))
    recent = order_for(customer, sku=sku, at=timezone.now() - timedelta(days=3))

    sign_in(page, agent.email)
    submit_totp_code(page, secret)
    page.goto(f"/customers/{customer.entra_tenant_id}/software/")
    recent_row = page.locator("#software-table tbody tr", has_text=recent.alternate_id)
    recent_row.get_by_role("link", name="Cancel").click()

    dialog = page.locator("#cancel-dialog")
    expect(dialog).to_be_visible()
    order_select = dialog.get_by_label("Order number")
    late_value = order_select.locator("option", has_text=late.alternate_id).get_attribute("value")
    order_select.select_option(late_value)
    expect(dialog.locator("#cancel-facts")).to_contain_text("cancellation window has passed")
    expect(dialog.locator("#cancel-submit")).to_have_count(0)
    screenshot("late-order-refused")

    recent_value = order_select.locator("option", has_text=recent.alternate_id).get_attribute(
        "value"
    )
    order_select.select_option(recent_value)
    expect(dialog.locator("#cancel-facts")).to_contain_text("57 days remain")
    expect(dialog.locator(".credit-preview")).to_contain_text("€")
    dialog.get_by_label("I have read the Important notice").check()
    screenshot("dialog-ready")
    dialog.get_by_role("button", name="Submit").click()

    expect(page.locator("#cancel-confirmation")).to_contain_text("up to 15 minutes")
    screenshot("confirmation")
    page.goto(f"/customers/{customer.entra_tenant_id}/software/")
    row = page.locator("#software-table tbody tr", has_text=recent.alternate_id).first
    expect(row.locator(".purchase-status")).to_have_text("Pending cancellation")
    screenshot("pending")
    for _ in range(20):
        page.reload()
        if row.locator(".purchase-status").inner_text() == "Cancelled":
            break
        page.wait_for_timeout(500)
    expect(row.locator(".purchase-status")).to_have_text("Cancelled")
    expect(row.get_by_role("link", name="Cancel")).to_have_count(0)
    screenshot("cancelled")
