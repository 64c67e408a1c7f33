"""Issuing an invoice and rendering its PDF: each once, each in one transaction."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activity.models import OperationType, ResourceType
from activity.services import event_record
from core.background import task_enqueue_on_commit
from core.errors import NotFound
from webhooks.events import webhook_event_emit
from webhooks.models import EventType

from .documents import invoice_pdf_bytes, invoice_pdf_name, invoice_storage
from .drafts import draft_lines
from .figures import totals_of
from .models import Invoice, InvoiceLine, InvoiceSequence
from .periods import Month


def invoice_number(*, partner_number: int, sequence: int) -> str:
    """Return the invoice number of the partner's nth invoice, as printed."""
    return f"INV-{partner_number}-{sequence:06d}"


def _locked_sequence(partner) -> InvoiceSequence:
    # The first invoice of a partner creates the row; two closes racing for it insert it once.
    InvoiceSequence.objects.bulk_create([InvoiceSequence(partner=partner)], ignore_conflicts=True)
    return InvoiceSequence.objects.select_for_update().get(partner=partner)


@transaction.atomic
def invoice_issue(
    *, partner, currency_code: str, month: Month, at: datetime | None = None
) -> Invoice | None:
    """Issue the partner's invoice for the month and currency from its unbilled lines.

    Returns None when it was issued before or there is nothing to bill, so calling it again, or
    from two workers at once, issues one invoice. Lines dated before the month (a purchase whose
    transaction committed after its own month was closed) join it rather than go unbilled.
    """
    at = at or timezone.now()
    month.require_ended(at=at)
    # Every issue for the partner waits here, so the check below sees the other's invoice.
    sequence = _locked_sequence(partner)
    if Invoice.objects.filter(period_start=month.first_day, currency_code=currency_code).exists():
        return None
    lines = draft_lines(currency_code=currency_code, before=month.end_at)
    if not lines:
        return None
    sequence.last_sequence += 1
    sequence.save(update_fields=["last_sequence"])
    totals = totals_of(lines)
    invoice = Invoice.objects.create(
        partner=partner,
        number=invoice_number(
            partner_number=partner.partner_number, sequence=sequence.last_sequence
        ),
        sequence=sequence.last_sequence,
        currency_code=currency_code,
        period_start=month.first_day,
        period_end=month.last_day,
        issued_at=at,
        due_date=at.astimezone(UTC).date() + timedelta(days=settings.INVOICE_PAYMENT_TERMS_DAYS),
        language=partner.language,
        partner_name=partner.name,
        partner_number=partner.partner_number,
        partner_country=partner.home_country.code,
        charges_total=totals.charges,
        credits_total=totals.credits,
        subtotal=totals.subtotal,
        tax_total=totals.tax,
        total=totals.total,
    )
    charged_here = {line.charge.pk for line in lines if line.charge is not None}
    for line in lines:
        line.invoice = invoice
        if line.credit is not None and line.credit.purchase_id in charged_here:
            line.original_invoice = invoice
    InvoiceLine.objects.bulk_create(lines)
    event_record(
        partner=partner, actor=None, operation=OperationType.ISSUE_INVOICE,
        resource_type=ResourceType.INVOICE, object_id=invoice.number,
        details={
            "period": f"{month.first_day:%Y-%m}", "currencyCode": currency_code,
            "total": str(totals.total), "lineCount": len(lines),
        },
    )
    webhook_event_emit(partner=partner, event_type=EventType.INVOICE_ISSUED, subject=invoice)
    # Robust: the invoice is committed by then, and a broker outage must not turn it into a
    # failed close; the PDF reconciler enqueues whatever this could not.
    task_enqueue_on_commit(
        "invoices.invoice_pdf_render", partner_id=partner.pk, invoice_id=invoice.pk, robust=True
    )
    return invoice


@transaction.atomic
def invoice_pdf_render(*, invoice_id: int, at: datetime | None = None) -> bool:
    """Render and store the invoice's PDF; False when it already has one (it never changes)."""
    invoice = Invoice.objects.select_for_update().filter(pk=invoice_id).first()
    if invoice is None:
        raise NotFound(_("Invoice not found."))
    if invoice.has_pdf:
        return False
    lines = list(invoice.lines.select_related("original_invoice").order_by("line_number"))
    pdf = invoice_pdf_bytes(invoice=invoice, lines=lines)
    storage, name = invoice_storage(), invoice_pdf_name(invoice)
    # The row is locked and names no PDF, so a file under its name is what a render that died
    # before committing left behind: replace it rather than keep a second copy beside it.
    storage.delete(name)
    invoice.pdf_name = storage.save(name, ContentFile(pdf))
    invoice.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    invoice.pdf_size = len(pdf)
    invoice.pdf_rendered_at = at or timezone.now()
    invoice.save(update_fields=["pdf_name", "pdf_sha256", "pdf_size", "pdf_rendered_at"])
    return True
