"""What the "download link issued" webhook event carries.

Not the link itself: its token lets anyone download, so it goes only to whoever asked for it
(POST .../keysanddownloads); the event says which link was issued, for what, until when.
"""

from __future__ import annotations

from .models import DownloadLink


def download_link_data(link: DownloadLink) -> dict:
    """Shape an issued link as the keys-and-downloads answer does, without its URI."""
    purchase = link.purchase
    return {
        "id": str(link.pk),
        "entitlementId": str(purchase.pk),
        "referenceOrder": {
            "id": str(purchase.order_id),
            "lineItemId": purchase.line_number,
            "alternateId": purchase.order.alternate_id,
        },
        "productName": purchase.product_title,
        "variant": {
            "version": link.variant.version,
            "language": link.variant.language,
            "fileType": link.variant.file_type,
        },
        "expiresAt": link.expires_at.isoformat(),
        "maxDownloads": link.max_downloads,
    }
