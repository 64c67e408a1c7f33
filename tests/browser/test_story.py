"""The source document's whole story in one browser run, with its refusals.

Northwind Traders' Admin agent signs in with TOTP, finds Contoso Italia, buys Windows Server 2022
Standard, gets the key and downloads the ISO, cancels the purchase inside the window and watches it
go from pending to cancelled; the Billing admin finds the credit on the unbilled invoice; the
Account admin finds the key access and the download in the Activity log; the agent files a refund
request for a purchase too old to cancel, and support staff approve it. Refused along the way: a
purchase 75 days old cannot be cancelled, Greenland cannot buy Azure reservations, and a Sales
agent gets no keys. Every step leaves a screenshot in artifacts/screenshots/<test>/, and axe-core
checks each main page for serious accessibility violations.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from catalog.models import Sku, SoftwareVariant
from core.roles import Role
from customers.tests.factories import CustomerFactory
from demo.catalog import demo_catalog_seed
from orders.models import Order
from orders.tests.factories import order_for
from partners.tests.factories import PartnerFactory, SupportStaffFactory, UserFactory, totp_enrol
from support.tests.factories import PDF_BYTES
from tests.browser.helpers import (
    open_gear_menu,
    serious_accessibility_violations,
    sign_in,
    sign_out,
    submit_totp_code,
)

pytestmark = [pytest.mark.browser, pytest.mark.worker]

WINDOWS_SERVER = "DG7GMGF0DVT0"
SQL_SERVER = "DG7GMGF0FLR2"
RESERVATION = "DZH318Z0BQ4L"


class Story:
    """The run's page, its screenshots, and the accessibility and CSP findings it collects."""

    def __init__(self, page: Page, screenshot) -> None:
        self.page = page
        self.screenshot = screenshot
        self.accessibility: dict[str, list[str]] = {}
        self.csp_reports: list[str] = []
        page.on(
            "console",
            lambda message: (
                self.csp_reports.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )

    def step(self, name: str, *, check_accessibility: bool = False) -> None:
        self.screenshot(name)
        if check_accessibility:
            found = serious_accessibility_violations(self.page)
            if found:
                self.accessibility[name] = found


@pytest.fixture
def northwind(settings, tmp_path):
    """The demo catalogue, a partner with one user per role in the story, and its customers."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.INVOICE_PDF_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "invoices")},
    }
    settings.SUPPORT_ATTACHMENT_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "support-attachments")},
    }
    settings.CANCELLATION_PROPAGATION_DELAY_SECONDS = 2
    demo_catalog_seed()
    partner = PartnerFactory(name="Northwind Traders", home_country="IT")

    def user(name: str, role: Role, full_name: str):
        return UserFactory(
            partner=partner,
            roles=[role.value],
            email=f"{name}@northwind.example",
            full_name=full_name,
        )

    agent = user("agent", Role.ADMIN_AGENT, "Anna Agent")
    contoso = CustomerFactory(
        partner=partner,
        company_name="Contoso Italia S.p.A.",
        country="IT",
        primary_domain="contosoitalia.onmicrosoft.com",
    )
    old_order = order_for(
        contoso,
        actor=agent,
        sku=Sku.objects.get(product__product_id=SQL_SERVER),
        at=timezone.now() - timedelta(days=75),
    )
    support = SupportStaffFactory(email="support@portal.example")
    return {
        "agent": agent,
        "agent_secret": totp_enrol(agent),
        "sales": user("sales", Role.SALES_AGENT, "Sam Sales"),
        "accounts": user("accounts", Role.ACCOUNT_ADMIN, "Alex Accounts"),
        "billing": user("billing", Role.BILLING_ADMIN, "Bea Billing"),
        "support": support,
        "support_secret": totp_enrol(support),
        "contoso": contoso,
        "greenland": CustomerFactory(
            partner=partner, company_name="Nuuk Fisheries A/S", country="GL"
        ),
        "old_order": old_order,
    }


def test_the_whole_story_from_sign_in_to_an_approved_refund(
    page, screenshot, another_browser, celery_worker, northwind
):
    story = Story(page, screenshot)
    contoso, old_order = northwind["contoso"], northwind["old_order"]

    # The Admin agent signs in with TOTP and finds the customer by domain.
    sign_in(page, northwind["agent"].email)
    story.step("sign-in-totp", check_accessibility=True)
    submit_totp_code(page, northwind["agent_secret"])
    expect(page).to_have_url("/")
    page.locator("#main-menu").get_by_role("link", name="Customers").click()
    page.get_by_label("Find a customer by company name, tenant GUID or domain").fill(
        "contosoitalia.onmicrosoft.com"
    )
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#customer-table tbody tr")).to_have_count(1)
    story.step("customer-found", check_accessibility=True)
    page.get_by_role("link", name="Contoso Italia S.p.A.").click()

    # Add products, review, place the order.
    page.locator("#add-products").click()
    product = page.locator(f'article[data-product-id="{WINDOWS_SERVER}"]')
    product.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("status")).to_contain_text("Added to the cart.")
    story.step("add-products", check_accessibility=True)
    page.locator("#review-cart").click()
    expect(page.locator("#tax-terms")).to_contain_text("Prices exclude tax in Italy")
    story.step("review", check_accessibility=True)
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("#order-confirmation")).to_contain_text("is complete")
    order = Order.objects.all_partners().get(customer=contoso, placed_at__gt=old_order.placed_at)
    expect(page.locator("#order-confirmation")).to_contain_text(order.alternate_id)
    story.step("order-placed", check_accessibility=True)

    # Get keys and downloads, then download the chosen ISO.
    page.get_by_role("link", name="Software", exact=True).click()
    purchase_row = page.locator("#software-table tbody tr", has_text=order.alternate_id)
    purchase = order.lines.model.objects.all_partners().get(order=order)
    page.get_by_text("Select product: Windows Server 2022 Standard").first.click()
    chooser = page.locator(f"#select-{purchase.pk} form.variant-form")
    chooser.get_by_label("Language").select_option("it-IT")
    version = chooser.get_by_label("Version").input_value()
    file_type = chooser.get_by_label("File type/OS").input_value()
    chooser.get_by_role("button", name="Submit").click()
    page.locator(f"#get-keys-{purchase.pk}").click()
    expect(page.locator(".activation-key")).to_be_visible()
    story.step("keys-and-downloads", check_accessibility=True)
    with page.expect_download() as download:
        page.locator("#download-button").click()
    variant = SoftwareVariant.objects.get(
        product__product_id=WINDOWS_SERVER, version=version, language="it-IT", file_type=file_type
    )
    assert hashlib.sha256(Path(download.value.path()).read_bytes()).hexdigest() == variant.sha256

    # A purchase 75 days old offers no Cancel, only the support request; the new one can be
    # cancelled, and the cancellation completes in the worker.
    page.get_by_role("link", name="Software", exact=True).click()
    old_row = page.locator("#software-table tbody tr", has_text=old_order.alternate_id)
    expect(old_row.locator(".purchase-cancellation")).to_contain_text(
        "Cancellation window passed."
    )
    expect(old_row.get_by_role("link", name="Cancel", exact=True)).to_have_count(0)
    expect(old_row.get_by_role("link", name="customer support request")).to_be_visible()
    story.step("refused-75-days-old", check_accessibility=True)
    purchase_row.get_by_role("link", name="Cancel", exact=True).click()
    dialog = page.locator("#cancel-dialog")
    expect(dialog.locator("#cancel-facts")).to_contain_text("days remain")
    expect(dialog.get_by_role("link", name="Order history")).to_be_visible()
    dialog.get_by_label("I have read the Important notice").check()
    story.step("cancel-dialog")
    dialog.get_by_role("button", name="Submit").click()
    expect(page.locator("#cancel-confirmation")).to_contain_text("up to 15 minutes")
    page.get_by_role("link", name="Software", exact=True).click()
    status = purchase_row.first.locator(".purchase-status")
    expect(status).to_have_text("Pending cancellation")
    story.step("pending-cancellation")
    for _attempt in range(40):
        page.reload()
        if status.inner_text() == "Cancelled":
            break
        page.wait_for_timeout(500)
    expect(status).to_have_text("Cancelled")
    story.step("cancelled")

    # Greenland cannot buy Azure reservations.
    page.goto(f"/customers/{northwind['greenland'].entra_tenant_id}/")
    page.locator("#add-products").click()
    reservation = page.locator(f'article[data-product-id="{RESERVATION}"]')
    expect(reservation.locator(".availability")).to_have_text(
        "Unavailable: Azure reservations are not available in Greenland."
    )
    expect(reservation.get_by_role("button", name="Add to cart")).to_have_count(0)
    story.step("refused-greenland-reservation")

    # The agent asks for a refund of the purchase too old to cancel.
    page.locator("#main-menu").get_by_role("link", name="Support").click()
    page.locator("#report-problem").click()
    page.get_by_label("Type of problem").select_option("csp_purchase_refund")
    page.get_by_label("Impact").select_option("high")
    page.get_by_label("Title").fill("Refund SQL Server bought for the wrong customer")
    page.get_by_label("Customer tenant GUID or domain").fill("contosoitalia.onmicrosoft.com")
    page.get_by_label("Order ID").fill(old_order.alternate_id)
    page.get_by_label("Refund reason").fill("Bought for the wrong customer; never installed.")
    page.get_by_label("Amount requested").fill("100.00")
    page.get_by_label("Phone").fill("+39 02 1234 5678")
    page.get_by_label("Add files").set_input_files(
        files=[{"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    story.step("report-a-problem", check_accessibility=True)
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("status")).to_contain_text("was filed")
    request_number = page.locator("#request-number").inner_text()
    story.step("refund-requested", check_accessibility=True)
    sign_out(page)

    # A Sales agent sees the software but gets no keys.
    sign_in(page, northwind["sales"].email)
    page.goto(f"/customers/{contoso.entra_tenant_id}/software/")
    expect(page.locator("#read-only-note")).to_contain_text("Only an Admin agent")
    page.get_by_text("Select product: SQL Server 2022 Standard").click()
    page.locator(
        f"#select-{old_order.lines.model.objects.all_partners().get(order=old_order).pk}"
        " form.variant-form"
    ).get_by_role("button", name="Submit").click()
    expect(page.locator(".chosen-variant")).to_be_visible()
    expect(page.get_by_role("button", name="Get keys and downloads")).to_have_count(0)
    story.step("refused-sales-agent-no-keys", check_accessibility=True)
    sign_out(page)

    # The Billing admin finds the cancellation's credit on the unbilled invoice.
    sign_in(page, northwind["billing"].email)
    page.locator("#main-menu").get_by_role("link", name="Invoices").click()
    story.step("invoices", check_accessibility=True)
    page.get_by_role("link", name="Unbilled", exact=True).click()
    credit_row = page.locator("tr[data-kind=cancelImmediate]")
    expect(credit_row).to_contain_text("Windows Server 2022 Standard")
    story.step("unbilled-credit", check_accessibility=True)
    sign_out(page)

    # The Account admin finds who accessed the key and who downloaded, in the Activity log.
    sign_in(page, northwind["accounts"].email)
    open_gear_menu(page)
    page.locator("#gear-menu").get_by_role("link", name="Activity log").click()
    page.locator("#activity-filters").get_by_label("Operation").select_option(
        label="Key access and downloads"
    )
    page.locator("#activity-filters").get_by_role("button", name="Show").click()
    for operation in ("get_software_key", "software_download"):
        row = page.locator(f'#activity-table tr[data-operation="{operation}"]')
        expect(row).to_contain_text("agent@northwind.example")
        expect(row).to_contain_text("Windows Server 2022 Standard")
    story.step("activity-log", check_accessibility=True)
    sign_out(page)

    # Support staff approve the refund, in a browser of their own.
    staff = another_browser()
    staff_story = Story(staff, lambda name: story.screenshot(f"staff-{name}"))
    sign_in(staff, northwind["support"].email)
    submit_totp_code(staff, northwind["support_secret"])
    row = staff.locator("#queue-table tbody tr", has_text=request_number)
    expect(row).to_contain_text("Northwind Traders")
    staff_story.step("queue", check_accessibility=True)
    row.get_by_role("link", name=request_number).click()
    staff.get_by_role("button", name="Assign to me").click()
    approve = staff.locator("#approve-form")
    approve.get_by_label("Amount to refund").fill("100.00")
    approve.get_by_label("Note to the partner").fill("Refunded in full.")
    approve.get_by_role("button", name="Approve").click()
    expect(staff.locator("#request-status")).to_have_text("Approved")
    expect(staff.locator("#credit-booked")).to_contain_text("€100.00")
    staff_story.step("approved", check_accessibility=True)

    # The refund reaches the partner's next invoice.
    sign_in(page, northwind["billing"].email)
    page.goto("/invoices/unbilled/")
    expect(page.locator("tr[data-kind=customerCredit]")).to_contain_text("€100.00")
    story.step("unbilled-refund")

    assert story.csp_reports + staff_story.csp_reports == []
    assert {**story.accessibility, **staff_story.accessibility} == {}
