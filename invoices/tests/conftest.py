"""The worked month every invoice test starts from, and a private PDF storage per test.

September 2026: an Italian customer subscribes to SQL Server for a year (2 × €480.00).
October 2026, the month the figures are about:
- Contoso Italia (IT, 22% added): Windows Server perpetual €1,069.00; a Windows Server
  subscription €300.00; and the September subscription cancelled on 15 October after 25 of its
  365 days: 340 unused days, a prorated credit of €894.25 + €196.74 tax.
- Adatum (DE, 19% added): a perpetual licence €250.00.
- Fabrikam (AU, 10% contained): a perpetual licence A$1,624.99 and a subscription A$439.00,
  then a refund of A$123.45 approved by support on 20 October.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from core.roles import Role
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from invoices.models import Invoice
from invoices.periods import Month
from invoices.sweeps import invoices_close
from invoices.tests.factories import (
    OCTOBER,
    REFUND_SERVICE_REQUEST_ID,
    SEPTEMBER,
    buy,
    close_time,
)
from orders.models import CreditKind
from orders.services.cancellation import purchase_cancel, purchase_cancellation_complete
from orders.services.credits import CreditAmounts, credit_book


@pytest.fixture(autouse=True)
def _pdf_storage(settings, tmp_path):
    """Each test keeps its PDFs apart, never in the shared var/ of the checkout."""
    settings.INVOICE_PDF_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "invoices")},
    }


def october(day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, tzinfo=UTC)


@dataclass
class Story:
    partner: object
    italian: object
    german: object
    australian: object
    cancelled: object  # the September subscription, cancelled in October
    september_invoice: Invoice

    def close_october(self):
        return invoices_close(month=OCTOBER, at=close_time(OCTOBER))

    def invoice(self, currency_code: str, month: Month = OCTOBER) -> Invoice:
        with partner_scope(self.partner):
            return Invoice.objects.get(currency_code=currency_code, period_start=month.first_day)


@pytest.fixture
def story(owner_partner, role_users, time_machine) -> Story:
    def now(moment):
        time_machine.move_to(moment, tick=False)
        return moment

    italian = CustomerFactory(
        partner=owner_partner, country="IT", company_name="Contoso Italia S.p.A."
    )
    german = CustomerFactory(
        partner=owner_partner,
        country="DE",
        company_name="Adatum GmbH",
        city="Berlin",
        postal_code="10115",
        primary_domain="adatum.onmicrosoft.com",
    )
    australian = CustomerFactory(
        partner=owner_partner,
        country="AU",
        company_name="Fabrikam Pty Ltd",
        city="Sydney",
        postal_code="2000",
        primary_domain="fabrikam.onmicrosoft.com",
    )
    cancelled = buy(
        italian,
        "480",
        quantity=2,
        subscription=True,
        title="SQL Server 2022 Standard",
        at=now(datetime(2026, 9, 20, 10, tzinfo=UTC)),
    )
    invoices_close(month=SEPTEMBER, at=now(close_time(SEPTEMBER)))

    buy(italian, "1069", title="Windows Server 2022 Standard", at=now(october(5)))
    licence = buy(
        australian, "1624.99", title="Windows Server 2022 Datacenter", at=now(october(7))
    )
    buy(
        australian,
        "439",
        subscription=True,
        title="SQL Server 2022 subscription",
        at=now(october(8)),
    )
    buy(german, "250", title="Windows Server 2022 Essentials", at=now(october(9)))
    buy(
        italian,
        "300",
        subscription=True,
        title="Windows Server 2022 subscription",
        at=now(october(12)),
    )
    with partner_scope(owner_partner):
        purchase_cancel(
            partner=owner_partner,
            actor=role_users[Role.ADMIN_AGENT],
            purchase_id=cancelled.pk,
            acknowledged=True,
            at=now(october(15, 9)),
        )
        purchase_cancellation_complete(purchase_id=cancelled.pk, at=now(october(15, 9, 15)))
        now(october(20, 14))
        credit_book(
            partner=owner_partner,
            actor=None,
            customer=australian,
            order=licence.order,
            kind=CreditKind.CUSTOMER_CREDIT,
            reason_code="supportRequestRefund",
            service_request_id=REFUND_SERVICE_REQUEST_ID,
            amounts=CreditAmounts(
                currency_code="AUD",
                prices_include_tax=True,
                tax_rate_percent=Decimal("10"),
                amount=Decimal("123.45"),
                tax_amount=Decimal("11.22"),
                total=Decimal("123.45"),
            ),
        )
        september_invoice = Invoice.objects.get(period_start=SEPTEMBER.first_day)
    return Story(
        partner=owner_partner,
        italian=italian,
        german=german,
        australian=australian,
        cancelled=cancelled,
        september_invoice=september_invoice,
    )
