"""The PDF: printed once by WeasyPrint, read back as text, served byte for byte."""

import hashlib
import io

import pytest
from pypdf import PdfReader

from core.tenancy import partner_scope
from invoices.documents import invoice_storage
from invoices.models import Invoice
from invoices.services import invoice_pdf_render


def _render(invoice) -> Invoice:
    with partner_scope(invoice.partner):
        assert invoice_pdf_render(invoice_id=invoice.pk) is True
        return Invoice.objects.get(pk=invoice.pk)


def _text(pdf: bytes) -> str:
    """The words of every page, with line breaks and runs of spaces made single spaces."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def _stored(invoice) -> bytes:
    with invoice_storage().open(invoice.pdf_name, "rb") as handle:
        return handle.read()


@pytest.fixture
def euro_invoice(story):
    story.close_october()
    return _render(story.invoice("EUR"))


def test_the_pdf_shows_number_totals_customers_and_the_credit(euro_invoice):
    pdf = _stored(euro_invoice)
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    assert euro_invoice.number in text
    for figure in ("€1,967.68", "-€1,090.99", "€724.75", "€151.94", "€876.69"):
        assert figure in text, figure
    assert "Cancellation credit: SQL Server 2022 Standard" in text
    assert f"charged on invoice {euro_invoice.number[:-1]}1" in text
    assert "CREDIT" in text
    for customer in ("Contoso Italia S.p.A.", "Adatum GmbH"):
        assert customer in text
    assert "Tax summary by market" in text
    assert "Germany" in text and "Italy" in text and "19%" in text and "22%" in text
    assert "1 November 2026" in text  # the invoice date
    assert "1 December 2026" in text  # due 30 days later


def test_the_pdf_is_in_the_partners_language(story):
    story.partner.language = "it"
    story.partner.save(update_fields=["language"])
    story.close_october()
    text = _text(_stored(_render(story.invoice("AUD"))))
    assert "Fattura" in text
    assert "1.940,54" in text and "-123,45" in text
    assert "1 novembre 2026" in text
    assert "Australia" in text and "Credito per rimborso" in text


def test_the_pdf_is_rendered_once_and_never_changes(euro_invoice):
    first = _stored(euro_invoice)
    assert euro_invoice.pdf_sha256 == hashlib.sha256(first).hexdigest()
    assert euro_invoice.pdf_size == len(first)
    with partner_scope(euro_invoice.partner):
        assert invoice_pdf_render(invoice_id=euro_invoice.pk) is False
    assert _stored(euro_invoice) == first
