"""What the "invoice issued" webhook event carries: the invoice as GET /v1/invoices/{id} has it.

The month close runs without a request, so the links are paths under the portal's own address.
"""

from __future__ import annotations

from .api.serializers import invoice_representation
from .models import Invoice


class _PathsOnly:
    """Stands in for the request the API would build absolute links from."""

    @staticmethod
    def build_absolute_uri(location: str) -> str:
        return location


def invoice_data(invoice: Invoice) -> dict:
    """Shape the invoice as the API does, with links as paths."""
    return invoice_representation(invoice, request=_PathsOnly())
