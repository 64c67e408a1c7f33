"""The invoice as a PDF: an HTML template in the invoice's language, printed by WeasyPrint, kept
in a private storage (INVOICE_PDF_STORAGE) and served from there unchanged."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import Storage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.module_loading import import_string

from .figures import lines_by_customer, tax_by_market
from .models import Invoice, InvoiceLine

STYLESHEET = Path(__file__).resolve().parent / "templates" / "invoices" / "pdf" / "invoice.css"


def invoice_storage() -> Storage:
    config = settings.INVOICE_PDF_STORAGE
    return import_string(config["BACKEND"])(**config.get("OPTIONS", {}))


def invoice_pdf_name(invoice: Invoice) -> str:
    return f"{invoice.partner_number}/{invoice.number}.pdf"


def invoice_pdf_html(*, invoice: Invoice, lines: list[InvoiceLine]) -> str:
    with translation.override(invoice.language):
        return render_to_string(
            "invoices/pdf/invoice.html",
            {
                "invoice": invoice,
                "groups": lines_by_customer(lines),
                "tax_rows": tax_by_market(lines),
            },
        )


def invoice_pdf_bytes(*, invoice: Invoice, lines: list[InvoiceLine]) -> bytes:
    # Imported here: only the worker prints, so the web processes never load Pango.
    from weasyprint import CSS, HTML

    document = HTML(string=invoice_pdf_html(invoice=invoice, lines=lines))
    return document.write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])
