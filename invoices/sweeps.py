"""The month close and the PDF reconciler, over every partner (the escape hatch is allowed here).

Each invoice is issued in its own transaction, so a close that dies half-way has issued some
invoices and not others; running it again issues the rest and nothing twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Min

from core.background import task_enqueue
from core.tenancy import partner_scope
from orders.models import Credit, Purchase
from partners.models import Partner

from .drafts import unbilled_charges, unbilled_credits
from .models import Invoice
from .periods import Month, months_between
from .services import invoice_issue

logger = logging.getLogger(__name__)
PDF_RECONCILE_BATCH_SIZE = 200


@dataclass
class CloseOutcome:
    issued: list[Invoice] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)
    pdfs_enqueued: int = 0


def _unbilled_since(*, before: datetime) -> dict[tuple[int, str], datetime]:
    """For each partner and currency with something unbilled before the moment: its oldest."""
    oldest: dict[tuple[int, str], datetime] = {}
    sources = (
        unbilled_charges(Purchase.objects.all_partners(), before=before)
        .values("partner_id", "currency_code")
        .annotate(since=Min("purchased_at")),
        unbilled_credits(Credit.objects.all_partners(), before=before)
        .values("partner_id", "currency_code")
        .annotate(since=Min("booked_at")),
    )
    for rows in sources:
        for row in rows:
            key = (row["partner_id"], row["currency_code"])
            oldest[key] = min(oldest.get(key, row["since"]), row["since"])
    return oldest


def invoices_close(*, month: Month, at: datetime) -> CloseOutcome:
    """Issue every partner's invoices for the month, and for any earlier month left open.

    Months are issued oldest first, so a close that was missed (beat down on the 1st) still gives
    each month its own invoice when the next one runs.
    """
    month.require_ended(at=at)
    outcome = CloseOutcome()
    unbilled = _unbilled_since(before=month.end_at)
    partners = Partner.objects.in_bulk({partner_id for partner_id, _currency in unbilled})
    for (partner_id, currency_code), since in sorted(unbilled.items()):
        partner = partners[partner_id]
        with partner_scope(partner):
            for each in months_between(Month.of(since), month):
                try:
                    invoice = invoice_issue(
                        partner=partner, currency_code=currency_code, month=each, at=at
                    )
                except Exception:  # noqa: BLE001 - one partner's failure must not stop the rest
                    logger.exception("Invoice %s %s %s not issued", partner_id, currency_code, each)
                    outcome.failed.append((partner_id, f"{each} {currency_code}"))
                    break
                if invoice is not None:
                    outcome.issued.append(invoice)
    outcome.pdfs_enqueued = invoice_pdfs_reconcile(at=at)
    return outcome


def invoice_pdfs_reconcile(*, at: datetime, batch_size: int = PDF_RECONCILE_BATCH_SIZE) -> int:
    """Enqueue the rendering of issued invoices still without a PDF: their task was lost."""
    # Younger invoices have their own render task on its way; leave them to it.
    issued_before = at - timedelta(seconds=settings.INVOICE_PDF_RENDER_GRACE_SECONDS)
    missing = list(
        Invoice.objects.all_partners()
        .filter(pdf_name="", issued_at__lt=issued_before)
        .order_by("issued_at")
        .values_list("pk", "partner_id")[:batch_size]
    )
    for invoice_id, partner_id in missing:
        task_enqueue("invoices.invoice_pdf_render", partner_id=partner_id, invoice_id=invoice_id)
    return len(missing)


def invoices_issued_total() -> dict[tuple[str, ...], int]:
    """Invoices ever issued, across partners, for the metrics."""
    return {(): Invoice.objects.all_partners().count()}
