"""The stored PDF as a download, the same bytes for the page and the API, every time."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _

from core.errors import NotFound
from core.storage import stored_file_response

from .documents import invoice_storage
from .models import Invoice

# How long a client waits before asking again for a PDF that the worker is still rendering.
PDF_RETRY_AFTER_SECONDS = 30


def invoice_pdf_response(invoice: Invoice) -> HttpResponse:
    """The PDF as rendered at issue; NotFound when the file has gone from the storage."""
    try:
        response = stored_file_response(
            invoice_storage(),
            invoice.pdf_name,
            filename=f"{invoice.number}.pdf",
            content_type="application/pdf",
        )
    except FileNotFoundError as error:
        raise NotFound(_("The PDF of this invoice is missing; contact support.")) from error
    if response.status_code == 200:
        # The file never changes, so its digest is a strong validator; a redirect to a URL that
        # dies within a minute must not be kept at all.
        response["ETag"] = f'"{invoice.pdf_sha256}"'
        response["Cache-Control"] = "private, no-cache"
    return response
