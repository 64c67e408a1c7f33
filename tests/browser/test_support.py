"""A refund through a real browser: filed by an Admin agent, decided by support staff."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from core.roles import Role
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from orders.models import Credit
from orders.tests.factories import order_for
from partners.tests.factories import PartnerFactory, SupportStaffFactory, UserFactory, totp_enrol
from support.models import ServiceRequest
from support.tests.factories import PDF_BYTES
from tests.browser.helpers import sign_in, submit_totp_code

pytestmark = pytest.mark.browser


def test_a_refund_is_filed_with_a_pdf_approved_in_part_and_seen_by_the_partner(
    page, screenshot, screenshot_dir, another_browser, settings, tmp_path
):
    settings.SUPPORT_ATTACHMENT_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "support-attachments")},
    }
    northwind = PartnerFactory(name="Northwind Traders", home_country="IT")
    agent = UserFactory(
        partner=northwind,
        roles=[Role.ADMIN_AGENT.value],
        email="agent@northwind.example",
        full_name="Anna Agent",
    )
    secret = totp_enrol(agent)
    staff_secret = totp_enrol(SupportStaffFactory(email="support@portal.example"))
    customer = CustomerFactory(partner=northwind, company_name="Contoso Italia", country="IT")
    order = order_for(customer, actor=agent, unit_price=Decimal("100"), title="Visio 2024")

    # The partner's Admin agent reports the problem, with the invoice as a PDF.
    sign_in(page, agent.email)
    submit_totp_code(page, secret)
    page.locator("#main-menu").get_by_role("link", name="Support").click()
    page.locator("#report-problem").click()
    page.get_by_label("Type of problem").select_option("csp_purchase_refund")
    page.get_by_label("Impact").select_option("high")
    page.get_by_label("Title").fill("Refund Visio bought for the wrong customer")
    page.get_by_label("Customer tenant GUID or domain").fill(str(customer.entra_tenant_id))
    page.get_by_label("Order ID").fill(order.alternate_id)
    page.get_by_label("Refund reason").fill("Bought for the wrong customer on 3 March.")
    page.get_by_label("Amount requested").fill("122.00")
    expect(page.get_by_label("E-mail")).to_have_value("agent@northwind.example")
    page.get_by_label("Phone").fill("+39 02 1234 5678")
    page.get_by_label("Add files").set_input_files(
        files=[{"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    screenshot("report-a-problem")
    page.get_by_role("button", name="Submit").click()

    expect(page.get_by_role("status")).to_contain_text("was filed")
    with partner_scope(northwind):
        service_request = ServiceRequest.objects.get()
    expect(page.locator("#request-number")).to_have_text(service_request.number)
    expect(page.locator("#request-status")).to_have_text("New")
    expect(page.locator("#conversation")).to_contain_text("invoice.pdf")
    screenshot("filed")

    # Support staff (no partner, TOTP like Admin agents) find it in the queue, in their browser.
    staff = another_browser()
    sign_in(staff, "support@portal.example")
    submit_totp_code(staff, staff_secret)
    expect(staff).to_have_url("/support/queue/")
    row = staff.locator("#queue-table tbody tr", has_text=service_request.number)
    expect(row).to_contain_text("Northwind Traders")
    expect(row).to_contain_text("High")
    staff.screenshot(path=screenshot_dir / "staff-1-queue.png", full_page=True)
    row.get_by_role("link", name=service_request.number).click()
    expect(staff.locator("#conversation")).to_contain_text("invoice.pdf")
    staff.get_by_role("button", name="Assign to me").click()
    expect(staff.locator("#request-status")).to_have_text("In progress")
    expect(staff.locator("#assigned-to")).to_have_text("support@portal.example")
    approve = staff.locator("#approve-form")
    approve.get_by_label("Amount to refund").fill("61.00")
    approve.get_by_label("Note to the partner").fill("Half is refunded: the other half was used.")
    approve.get_by_role("button", name="Approve").click()
    expect(staff.get_by_role("status")).to_contain_text("Refund approved")
    expect(staff.locator("#request-status")).to_have_text("Approved")
    expect(staff.locator("#credit-booked")).to_contain_text("€61.00")
    staff.screenshot(path=screenshot_dir / "staff-2-approved.png", full_page=True)

    with partner_scope(northwind):
        credit = Credit.objects.get()
    assert (credit.total, credit.amount, credit.tax_amount) == (
        Decimal("61.00"),
        Decimal("50.00"),
        Decimal("11.00"),
    )

    # The partner sees the decision and the note on their request.
    page.reload()
    expect(page.locator("#request-status")).to_have_text("Approved")
    expect(page.locator("#approved-amount")).to_contain_text("€61.00")
    conversation = page.locator("#conversation")
    expect(conversation).to_contain_text("Half is refunded: the other half was used.")
    expect(conversation).to_contain_text("Status changed to Approved.")
    page.locator("#main-menu").get_by_role("link", name="Support").click()
    expect(page.locator("#request-table")).to_contain_text("Approved")
    screenshot("partner-sees-the-decision")
