"""A real worker process SIGKILLed inside the month close, and inside an invoice's PDF rendering.

The close and the render are acknowledged late, so the message of a killed task goes back to the
queue after Redis's visibility timeout (shortened in tests/faults/settings.py) and another worker
runs it again; the PDF reconciler re-enqueues any invoice still without its PDF. Either way
nothing is issued, numbered, billed or printed twice.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from invoices.models import Invoice, InvoiceLine, InvoiceSequence
from invoices.periods import Month
from invoices.services import invoice_issue
from invoices.sweeps import invoice_pdfs_reconcile
from invoices.tasks import invoices_close_task
from orders.models import Purchase
from orders.tests.factories import order_for
from partners.tests.factories import PartnerFactory
from tests.faults import servers
from tests.waiting import wait_until

pytestmark = [pytest.mark.faults, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
# Generous for a loaded CI machine: two worker start-ups, a redelivery and WeasyPrint.
WORK_TIMEOUT = 120
# Held by the test while the worker must wait inside the PDF render (see _render_held).
RENDER_LOCK = 7_304_211


def _worker_env(pdf_root: Path, *, redelivering: bool) -> dict:
    env = servers.portal_env(
        database_url=servers.suite_database_url(),
        redis_url=settings.REDIS_URL,
        var_dir=pdf_root.parent / "var",
        INVOICE_PDF_ROOT=str(pdf_root),
    )
    if redelivering:
        env["DJANGO_SETTINGS_MODULE"] = "tests.faults.settings"
    return env


def _last_months_purchases(partner, count: int) -> list[Purchase]:
    customer = CustomerFactory(partner=partner, country="IT")
    placed_at = Month.before(timezone.now()).start_at + timedelta(days=3)
    orders = [order_for(customer, unit_price=Decimal(100 + n), at=placed_at) for n in range(count)]
    with partner_scope(partner):
        return [order.lines.get() for order in orders]


def _invoices(partner) -> list[Invoice]:
    with partner_scope(partner):
        return list(Invoice.objects.order_by("sequence"))


def _pdf_files(pdf_root: Path) -> set[str]:
    return {str(path.relative_to(pdf_root)) for path in pdf_root.rglob("*") if path.is_file()}


def _assert_billed_once(partner, purchases: list[Purchase], pdf_root: Path) -> Invoice:
    """One invoice for the month, numbered 1 with no gap, every purchase on it once, one PDF."""
    invoices = _invoices(partner)
    assert [(i.period_start, i.sequence) for i in invoices] == [
        (Month.before(timezone.now()).first_day, 1)
    ]
    (invoice,) = invoices
    with partner_scope(partner):
        assert InvoiceSequence.objects.get().last_sequence == 1
        charged = list(InvoiceLine.objects.values_list("charge_id", "invoice_id"))
    assert sorted(charged) == sorted((purchase.pk, invoice.pk) for purchase in purchases)
    assert invoice.has_pdf and invoice.pdf_name in _pdf_files(pdf_root)
    return invoice


def test_a_worker_killed_inside_the_month_close_leaves_a_close_that_another_finishes(
    processes, tmp_path
):
    first, second = PartnerFactory(name="Closed First"), PartnerFactory(name="Closed Second")
    first_purchases = _last_months_purchases(first, 2)
    second_purchases = _last_months_purchases(second, 1)
    with partner_scope(second):
        InvoiceSequence.objects.create(partner=second)
    pdf_root = tmp_path / "invoices"
    # The second partner's numbering row is locked: the close stops there, after the first
    # partner's invoice was issued and committed.
    holder = servers.suite_database_probe()
    holder.autocommit = False
    holder.execute(
        "SELECT * FROM invoices_invoicesequence WHERE partner_id = %s FOR UPDATE", [second.pk]
    )
    killed = processes.worker(_worker_env(pdf_root, redelivering=False), name="killed-worker")
    try:
        invoices_close_task.delay()
        wait_until(
            lambda: servers.blocked_on("invoices_invoicesequence"),
            timeout=WORK_TIMEOUT,
            interval=0.2,
        )
        killed.kill()
    finally:
        holder.rollback()
        holder.close()
    connection.close()
    assert [i.sequence for i in _invoices(first)] == [1]
    assert _invoices(second) == []

    processes.worker(_worker_env(pdf_root, redelivering=True))
    wait_until(
        lambda: all(
            len(invoices) == 1 and invoices[0].has_pdf
            for invoices in (_invoices(first), _invoices(second))
        ),
        timeout=WORK_TIMEOUT,
        interval=0.5,
    )
    _assert_billed_once(first, first_purchases, pdf_root)
    _assert_billed_once(second, second_purchases, pdf_root)
    assert len(_pdf_files(pdf_root)) == 2


@contextlib.contextmanager
def _render_held():
    """Make every UPDATE of an invoice wait for a lock this test holds: the render has written
    its PDF file by then and not yet committed the invoice row that names it."""
    holder = servers.suite_database_probe()
    holder.execute("SELECT pg_advisory_lock(%s)", [RENDER_LOCK])
    holder.execute(
        "CREATE FUNCTION faults_render_held() RETURNS trigger AS $$ BEGIN "
        f"PERFORM pg_advisory_xact_lock_shared({RENDER_LOCK}); RETURN NEW; END $$ "
        "LANGUAGE plpgsql"
    )
    holder.execute(
        "CREATE TRIGGER faults_render_held BEFORE UPDATE ON invoices_invoice "
        "FOR EACH ROW EXECUTE FUNCTION faults_render_held()"
    )
    try:
        yield
    finally:
        holder.execute("SELECT pg_advisory_unlock(%s)", [RENDER_LOCK])
        holder.execute("DROP TRIGGER faults_render_held ON invoices_invoice")
        holder.execute("DROP FUNCTION faults_render_held()")
        holder.close()


def test_a_worker_killed_inside_a_pdf_render_leaves_one_pdf_after_the_reconciler(
    processes, tmp_path
):
    partner = PartnerFactory(name="Printed Once")
    purchases = _last_months_purchases(partner, 1)
    pdf_root = tmp_path / "invoices"
    month = Month.before(timezone.now())
    with _render_held():
        killed = processes.worker(_worker_env(pdf_root, redelivering=False), name="killed-worker")
        with partner_scope(partner):
            # Its render task goes to the broker when this commits.
            invoice = invoice_issue(partner=partner, currency_code="EUR", month=month)
        wait_until(
            lambda: servers.blocked_on("invoices_invoice"), timeout=WORK_TIMEOUT, interval=0.2
        )
        killed.kill()
    connection.close()
    (orphan,) = _pdf_files(pdf_root)
    assert not _invoices(partner)[0].has_pdf, "the render died before it committed"

    processes.worker(_worker_env(pdf_root, redelivering=True))
    grace = timedelta(seconds=settings.INVOICE_PDF_RENDER_GRACE_SECONDS + 1)
    assert invoice_pdfs_reconcile(at=timezone.now() + grace) == 1
    wait_until(lambda: _invoices(partner)[0].has_pdf, timeout=WORK_TIMEOUT, interval=0.5)

    printed = _assert_billed_once(partner, purchases, pdf_root)
    assert _pdf_files(pdf_root) == {printed.pdf_name} == {orphan}, "one file, under its name"
    assert printed.pk == invoice.pk
