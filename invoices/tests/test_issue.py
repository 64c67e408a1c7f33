"""Issuing a month's invoice: lines, tax per market, totals to the cent, gap-free numbers."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from core.errors import PortalError
from core.roles import Role
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from invoices.figures import tax_by_market
from invoices.models import Invoice, InvoiceLine, LineKind
from invoices.periods import Month
from invoices.services import invoice_issue
from invoices.sweeps import invoices_close
from invoices.tests.factories import (
    OCTOBER,
    REFUND_SERVICE_REQUEST_ID,
    SEPTEMBER,
    buy,
    close_time,
)
from orders.services.cancellation import purchase_cancel, purchase_cancellation_complete

D = Decimal


def _lines(invoice):
    with partner_scope(invoice.partner):
        return list(InvoiceLine.objects.filter(invoice=invoice).order_by("line_number"))


def _figures(line):
    return (line.kind, line.amount, line.tax_amount, line.total)


def test_the_october_euro_invoice_adds_up_to_the_cent(story):
    story.close_october()
    invoice = story.invoice("EUR")
    lines = _lines(invoice)
    assert [(line.customer_name, *_figures(line)) for line in lines] == [
        ("Adatum GmbH", "new", D("250.00"), D("47.50"), D("297.50")),
        ("Contoso Italia S.p.A.", "new", D("1069.00"), D("235.18"), D("1304.18")),
        ("Contoso Italia S.p.A.", "new", D("300.00"), D("66.00"), D("366.00")),
        # 25 of 365 days used: 960.00 × 340 / 365 = 894.25, and 22% of it added.
        ("Contoso Italia S.p.A.", "cancelImmediate", D("-894.25"), D("-196.74"), D("-1090.99")),
    ]
    assert (invoice.charges_total, invoice.credits_total) == (D("1967.68"), D("-1090.99"))
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (
        D("724.75"),
        D("151.94"),
        D("876.69"),
    )


def test_the_october_australian_invoice_keeps_the_tax_inside_the_prices(story):
    story.close_october()
    invoice = story.invoice("AUD")
    assert [_figures(line) for line in _lines(invoice)] == [
        # 1,624.99 × 10 / 110 = 147.73 of tax contained; the amount before tax is the rest.
        ("new", D("1477.26"), D("147.73"), D("1624.99")),
        ("new", D("399.09"), D("39.91"), D("439.00")),
        ("customerCredit", D("-112.23"), D("-11.22"), D("-123.45")),
    ]
    assert (invoice.charges_total, invoice.credits_total) == (D("2063.99"), D("-123.45"))
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (
        D("1764.12"),
        D("176.42"),
        D("1940.54"),
    )


def test_every_invoice_reconciles_lines_subtotal_tax_and_total(story):
    story.close_october()
    with partner_scope(story.partner):
        invoices = list(Invoice.objects.all())
    assert len(invoices) == 3
    for invoice in invoices:
        lines = _lines(invoice)
        assert sum(line.amount for line in lines) == invoice.subtotal
        assert sum(line.tax_amount for line in lines) == invoice.tax_total
        assert sum(line.total for line in lines) == invoice.total
        assert invoice.subtotal + invoice.tax_total == invoice.total
        assert invoice.charges_total + invoice.credits_total == invoice.total
        assert all(line.amount + line.tax_amount == line.total for line in lines)


def test_tax_is_summed_per_market(story):
    story.close_october()
    rows = tax_by_market(_lines(story.invoice("EUR")))
    assert [(r.market, r.tax_rate_percent, r.amount, r.tax, r.total) for r in rows] == [
        ("DE", D("19.00"), D("250.00"), D("47.50"), D("297.50")),
        ("IT", D("22.00"), D("474.75"), D("104.44"), D("579.19")),
    ]
    [australia] = tax_by_market(_lines(story.invoice("AUD")))
    assert (australia.market, australia.prices_include_tax, australia.tax) == (
        "AU",
        True,
        D("176.42"),
    )


def test_the_cancellation_credit_names_the_original_order_and_the_invoice_that_charged_it(story):
    story.close_october()
    september = story.september_invoice
    [charge] = _lines(september)
    assert (charge.kind, charge.total, charge.charge_id) == (
        "new",
        D("1171.20"),
        story.cancelled.pk,
    )
    [credit] = [line for line in _lines(story.invoice("EUR")) if line.is_credit]
    assert credit.kind == LineKind.CANCEL_IMMEDIATE
    assert credit.order_id == story.cancelled.order_id
    assert credit.original_invoice == september
    assert credit.credit.purchase_id == story.cancelled.pk
    assert credit.credit_reason_code == "cancelled_within_window"
    assert credit.occurred_at == datetime(2026, 10, 15, 9, 15, tzinfo=UTC)


def test_the_refund_credit_carries_its_reason_code_and_support_request(story):
    story.close_october()
    [refund] = [line for line in _lines(story.invoice("AUD")) if line.is_credit]
    assert (refund.kind, refund.credit_reason_code, refund.service_request_id) == (
        "customerCredit",
        "supportRequestRefund",
        REFUND_SERVICE_REQUEST_ID,
    )
    assert (refund.market, refund.order_id) == ("AU", None)


def test_a_purchase_cancelled_in_its_own_month_is_credited_on_the_same_invoice(
    owner_partner, role_users, time_machine
):
    italian = CustomerFactory(partner=owner_partner, country="IT")
    time_machine.move_to(datetime(2026, 10, 2, tzinfo=UTC), tick=False)
    purchase = buy(italian, "200", at=datetime(2026, 10, 2, tzinfo=UTC))
    with partner_scope(owner_partner):
        purchase_cancel(
            partner=owner_partner,
            actor=role_users[Role.ADMIN_AGENT],
            purchase_id=purchase.pk,
            acknowledged=True,
            at=datetime(2026, 10, 2, 1, tzinfo=UTC),
        )
        purchase_cancellation_complete(
            purchase_id=purchase.pk, at=datetime(2026, 10, 3, tzinfo=UTC)
        )
    invoices_close(month=OCTOBER, at=close_time(OCTOBER))
    with partner_scope(owner_partner):
        invoice = Invoice.objects.get()
    charge, credit = _lines(invoice)
    assert credit.original_invoice == invoice and credit.order_id == charge.order_id
    # Perpetual software is credited in full, so the invoice comes to nothing.
    assert (charge.total, credit.total, invoice.total) == (D("244.00"), D("-244.00"), D("0.00"))


def test_numbers_come_from_one_gap_free_sequence_per_partner(story, outsider_partner):
    story.close_october()
    outsider_customer = CustomerFactory(partner=outsider_partner, country="AU", city="Perth")
    buy(outsider_customer, "55", at=datetime(2026, 10, 3, tzinfo=UTC))
    invoices_close(month=OCTOBER, at=close_time(OCTOBER))
    with partner_scope(story.partner):
        ours = list(Invoice.objects.order_by("sequence").values_list("sequence", "number"))
    number = story.partner.partner_number
    assert ours == [
        (1, f"INV-{number}-000001"),  # September, EUR
        (2, f"INV-{number}-000002"),  # October, AUD (currencies in code order)
        (3, f"INV-{number}-000003"),  # October, EUR
    ]
    with partner_scope(outsider_partner):
        assert list(Invoice.objects.values_list("sequence", flat=True)) == [1]


def test_an_empty_month_issues_nothing_and_uses_no_number(owner_partner):
    outcome = invoices_close(month=SEPTEMBER, at=close_time(SEPTEMBER))
    assert outcome.issued == []
    with partner_scope(owner_partner):
        assert not Invoice.objects.exists()
        assert (
            invoice_issue(
                partner=owner_partner,
                currency_code="EUR",
                month=SEPTEMBER,
                at=close_time(SEPTEMBER),
            )
            is None
        )


def test_a_month_is_not_invoiced_before_it_ends(owner_partner):
    with partner_scope(owner_partner), pytest.raises(PortalError) as refused:
        invoice_issue(
            partner=owner_partner,
            currency_code="EUR",
            month=OCTOBER,
            at=datetime(2026, 10, 31, 23, 59, tzinfo=UTC),
        )
    assert refused.value.code == "period_not_ended"


def test_a_purchase_that_missed_its_months_close_joins_the_next_invoice(story):
    story.close_october()
    # Placed on 31 October, but its transaction committed only after October was closed.
    late = buy(story.italian, "10", at=datetime(2026, 10, 31, 23, 59, tzinfo=UTC))
    story.close_october()
    with partner_scope(story.partner):
        assert not InvoiceLine.objects.filter(charge=late).exists()
    invoices_close(month=Month(2026, 11), at=close_time(Month(2026, 11)))
    november = story.invoice("EUR", Month(2026, 11))
    assert [line.charge_id for line in _lines(november)] == [late.pk]


def test_a_missed_close_gives_each_month_its_own_invoice_when_the_next_one_runs(owner_partner):
    italian = CustomerFactory(partner=owner_partner, country="IT")
    buy(italian, "100", at=datetime(2026, 9, 3, tzinfo=UTC))
    buy(italian, "200", at=datetime(2026, 10, 3, tzinfo=UTC))
    invoices_close(month=OCTOBER, at=close_time(OCTOBER))  # the 1 October close never ran
    with partner_scope(owner_partner):
        invoices = list(Invoice.objects.order_by("sequence"))
    assert [(i.period_start.month, i.total) for i in invoices] == [
        (9, D("122.00")),
        (10, D("244.00")),
    ]
