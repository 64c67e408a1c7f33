"""Periodic sweeps over every partner's download links (the escape hatch is allowed here)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from .models import DownloadLink

EXPIRY_BATCH_SIZE = 1000


def download_links_mark_expired(*, at: datetime, batch_size: int = EXPIRY_BATCH_SIZE) -> int:
    """Mark links past their time as expired, one set-based batch at a time; return the count.

    Reporting only: the download endpoint checks `expires_at` itself, so a late sweep never lets
    a dead link work.
    """
    marked = 0
    while True:
        with transaction.atomic():
            batch = list(
                DownloadLink.objects.all_partners()
                .filter(expired_marked_at__isnull=True, expires_at__lte=at)
                .order_by("expires_at")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not batch:
                return marked
            marked += (
                DownloadLink.objects.all_partners()
                .filter(pk__in=batch)
                .update(expired_marked_at=at)
            )
