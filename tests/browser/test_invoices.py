"""Invoices through a real browser: the menu, the chart, an invoice and its PDF printed by a real
worker, and a completed cancellation's credit waiting on the Unbilled page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.roles import Role
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from invoices.documents import invoice_storage
from invoices.models import Invoice
from invoices.tests.factories import buy, invoice_for
from orders.services.cancellation import purchase_cancel, purchase_cancellation_complete
from tests.browser.helpers import sign_in
from tests.waiting import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def test_a_billing_admin_reads_an_invoice_downloads_its_pdf_and_sees_the_next_credit(
    page, screenshot, owner_partner, role_users, celery_worker, settings, tmp_path
):
    settings.INVOICE_PDF_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "invoices")},
    }
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    customer = CustomerFactory(
        partner=owner_partner, company_name="Contoso Italia S.p.A.", country="IT"
    )
    issued = invoice_for(customer, title="Windows Server 2022 Standard")
    recent = buy(
        customer, "480", title="SQL Server 2022 Standard", at=timezone.now() - timedelta(days=3)
    )
    with partner_scope(owner_partner):
        purchase_cancel(
            partner=owner_partner,
            actor=role_users[Role.ADMIN_AGENT],
            purchase_id=recent.pk,
            acknowledged=True,
            at=timezone.now() - timedelta(hours=1),
        )
        purchase_cancellation_complete(purchase_id=recent.pk)
        wait_until(lambda: Invoice.objects.get(pk=issued.pk).has_pdf, timeout=60)
        stored = Invoice.objects.get(pk=issued.pk)

    sign_in(page, role_users[Role.BILLING_ADMIN].email)
    page.locator("#main-menu").get_by_role("link", name="Invoices").click()
    expect(page.locator("#invoice-chart svg[role=img]")).to_be_visible()
    expect(page.locator("#invoice-list")).to_contain_text(issued.number)
    expect(page.locator("#next-invoices")).to_contain_text(
        "A credit for the cancelled order will appear on your next monthly invoice."
    )
    screenshot("invoices")

    page.locator("#invoice-list").get_by_role("link", name=issued.number).click()
    expect(page.locator("h2", has_text=issued.number)).to_be_visible()
    with page.expect_download() as download:
        page.locator("#download-pdf").click()
    saved = tmp_path / "downloaded.pdf"
    download.value.save_as(saved)
    with invoice_storage().open(stored.pdf_name, "rb") as handle:
        assert saved.read_bytes() == handle.read()
    screenshot("invoice")

    page.get_by_role("link", name="Unbilled").click()
    credit_row = page.locator("tr[data-kind=cancelImmediate]")
    expect(credit_row).to_contain_text("SQL Server 2022 Standard")
    expect(credit_row).to_contain_text(
        "A credit for the cancelled order will appear on your next monthly invoice."
    )
    screenshot("unbilled")
    assert violations == []
