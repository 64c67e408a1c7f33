"""The month close and PDF rendering on a real Celery worker and Redis broker (not eager)."""

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from core.tenancy import partner_scope
from invoices.documents import invoice_storage
from invoices.models import Invoice
from invoices.tasks import invoice_pdf_render_task, invoice_pdfs_reconcile_task, invoices_close_task
from tests.waiting import wait_until

pytestmark = pytest.mark.worker


def _october(partner):
    with partner_scope(partner):
        return list(Invoice.objects.filter(period_start="2026-10-01").order_by("sequence"))


def test_the_beats_close_issues_the_invoices_and_the_worker_prints_them(
    celery_worker, story, time_machine
):
    time_machine.move_to(datetime(2026, 11, 1, 0, 30, tzinfo=UTC), tick=True)
    invoices_close_task.delay()
    wait_until(
        lambda: (
            len(_october(story.partner)) == 2 and all(i.has_pdf for i in _october(story.partner))
        ),
        timeout=60,
    )
    aud, eur = _october(story.partner)
    with invoice_storage().open(eur.pdf_name, "rb") as handle:
        text = " ".join(PdfReader(io.BytesIO(handle.read())).pages[0].extract_text().split())
    assert eur.number in text and "€876.69" in text and "Cancellation credit" in text


def test_the_reconciler_prints_an_invoice_whose_render_task_was_lost(
    celery_worker, story, time_machine, monkeypatch, settings
):
    settings.INVOICE_PDF_RENDER_GRACE_SECONDS = 0
    time_machine.move_to(datetime(2026, 11, 1, 0, 30, tzinfo=UTC), tick=True)
    with monkeypatch.context() as lost:
        lost.setattr(invoice_pdf_render_task, "delay", lambda **kwargs: None)
        story.close_october()
    assert not any(i.has_pdf for i in _october(story.partner))
    invoice_pdfs_reconcile_task.delay()
    wait_until(lambda: all(i.has_pdf for i in _october(story.partner)), timeout=60)
