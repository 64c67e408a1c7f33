"""A Global admin registers a webhook endpoint, copies its secret (shown once), and follows the
delivery log: a delivery, a failed one with its retries, Redeliver, and the endpoint disabled
after days of failures and enabled again."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.roles import Role
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from orders.tests.factories import order_for
from tests.browser.helpers import open_gear_menu, sign_in
from webhooks.delivery import delivery_send
from webhooks.models import Delivery, Endpoint
from webhooks.tests.receiver import receiver_running

pytestmark = pytest.mark.browser


@pytest.fixture
def receiver(settings):
    with receiver_running(settings) as running:
        yield running


def _send_due(partner) -> None:
    with partner_scope(partner):
        due = Delivery.objects.filter(next_attempt_at__isnull=False)
        for pk in list(due.values_list("pk", flat=True)):
            due.filter(pk=pk).update(next_attempt_at=timezone.now())
            delivery_send(delivery_id=pk)


def test_a_global_admin_registers_an_endpoint_and_follows_its_deliveries(
    page, screenshot, receiver, role_users, owner_partner
):
    admin = role_users[Role.GLOBAL_ADMIN]
    customer = CustomerFactory(partner=owner_partner, country="IT", company_name="Contoso Italia")
    sign_in(page, admin.email)
    open_gear_menu(page)
    page.locator("#gear-menu").get_by_role("link", name="Webhooks").click()
    page.get_by_label("Endpoint URL").fill(receiver.url)
    page.get_by_label("Order created").check()
    page.get_by_role("button", name="Add endpoint").click()
    secret = page.locator("#new-secret")
    expect(secret).to_have_text(re.compile(r"^whsec_[A-Za-z0-9+/=]{32}$"))
    screenshot("secret-shown-once")
    page.goto("/settings/webhooks/")
    expect(page.locator("#new-secret")).to_have_count(0)

    order_for(customer)
    _send_due(owner_partner)
    receiver.status = 503
    order_for(customer)
    _send_due(owner_partner)
    _send_due(owner_partner)
    page.get_by_role("link", name=receiver.url).click()
    rows = page.locator("#delivery-log tbody tr")
    expect(rows).to_have_count(2)
    failed, delivered = rows.nth(0), rows.nth(1)
    expect(delivered.locator(".delivery-status")).to_have_text("Delivered")
    expect(delivered.locator(".attempts")).to_contain_text("HTTP 200")
    expect(failed.locator(".delivery-status")).to_contain_text("Pending, next attempt")
    expect(failed.locator(".attempts li")).to_have_count(2)
    expect(failed.locator(".attempts")).to_contain_text("#2")
    expect(failed.locator(".attempts")).to_contain_text("HTTP 503")
    screenshot("delivery-log-with-retries")

    receiver.status = 200
    failed_id = failed.get_attribute("data-webhook-id")
    failed.get_by_role("button", name="Redeliver").click()
    expect(page.get_by_text(f"Event {failed_id} is being sent again.")).to_be_visible()
    _send_due(owner_partner)
    page.reload()
    failed = page.locator(f'#delivery-log tr[data-webhook-id="{failed_id}"]')
    expect(failed.locator(".delivery-status")).to_have_text("Delivered")
    expect(failed.locator(".attempts")).to_contain_text("#3")
    assert receiver.ids().count(failed_id) == 3, "the same webhook-id on every attempt"
    screenshot("redelivered")

    receiver.status = 500
    with partner_scope(owner_partner):
        Endpoint.objects.update(failing_since=timezone.now() - timedelta(days=6))
    order_for(customer)
    _send_due(owner_partner)
    page.reload()
    expect(page.locator("#endpoint-status")).to_contain_text("Disabled since")
    expect(page.get_by_role("button", name="Redeliver")).to_have_count(0)
    screenshot("endpoint-disabled")
    page.get_by_role("button", name="Enable").click()
    expect(page.locator("#endpoint-status")).to_have_text("Enabled")
