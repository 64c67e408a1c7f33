"""The stored PDF as a download, the same bytes for the page and the API, every time."""

from __future__ import annotations

from django.http import FileResponse

from .models import Invoice
from .selectors import invoice_pdf_open

# How long a client waits before asking again for a PDF that the worker is still rendering.
PDF_RETRY_AFTER_SECONDS = 30


def invoice_pdf_response(invoice: Invoice) -> FileResponse:
    response = FileResponse(
        invoice_pdf_open(invoice=invoice),
        as_attachment=True,
        filename=f"{invoice.number}.pdf",
        content_type="application/pdf",
    )
    # The file never changes, so its digest is a strong validator.
    response["ETag"] = f'"{invoice.pdf_sha256}"'
    response["Cache-Control"] = "private, no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    return response
