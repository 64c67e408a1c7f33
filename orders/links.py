"""Links into the portal about a purchase, shared by the pages that offer them."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse


def cancellation_support_request_url(*, customer, purchase) -> str:
    """The support request form, pre-filled for a purchase the partner cannot cancel here."""
    query = urlencode(
        {
            "topic": "csp_purchase_refund",
            "customer": str(customer.entra_tenant_id),
            "order": str(purchase.order_id),
            "product": purchase.product_title,
        }
    )
    return f"{reverse('support:request_create')}?{query}"
