from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from partners.task_base import PartnerTask

from .periods import Month
from .services import invoice_pdf_render
from .sweeps import invoice_pdfs_reconcile, invoices_close


@shared_task(
    base=PartnerTask,
    name="invoices.invoice_pdf_render",
    acks_late=True,
    autoretry_for=(OperationalError, OSError),
    retry_backoff=True,
    max_retries=8,
    ignore_result=True,
)
def invoice_pdf_render_task(*, partner_id: int, invoice_id: int) -> bool:
    return invoice_pdf_render(invoice_id=invoice_id)


@shared_task(name="invoices.month_close", acks_late=True, ignore_result=True)
def invoices_close_task() -> int:
    """The beat's close on the 1st (UTC): last month's invoices, every partner."""
    now = timezone.now()
    return len(invoices_close(month=Month.before(now), at=now).issued)


@shared_task(name="invoices.invoice_pdfs_reconcile", acks_late=True, ignore_result=True)
def invoice_pdfs_reconcile_task() -> int:
    return invoice_pdfs_reconcile(at=timezone.now())
