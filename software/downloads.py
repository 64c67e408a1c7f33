"""The public download endpoint's reads and writes.

The token is the entry point here, as the session is for pages and the API token for the API:
it names the link, and the link's partner becomes the scope for what follows. Counting is one
conditional UPDATE, so exactly `max_downloads` requests win however many arrive at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection
from django.utils import timezone

from .models import DownloadLink, DownloadLinkState
from .services import token_digest

# secrets.token_urlsafe(32) gives 43 characters of the URL-safe alphabet.
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")

_COUNT = """
UPDATE software_downloadlink SET download_count = download_count + 1
WHERE token_digest = %s AND retired_at IS NULL AND revoked_at IS NULL
  AND expires_at > %s AND download_count < max_downloads
RETURNING id, partner_id, purchase_id, variant_id
"""
# Reads that do not count: HEAD needs a live link; a resumed download (a Range that does not
# start at byte 0) only needs a link that has been used and has not died of time or revocation.
_PEEK = """
SELECT id, partner_id, purchase_id, variant_id FROM software_downloadlink
WHERE token_digest = %s AND retired_at IS NULL AND revoked_at IS NULL AND expires_at > %s
  AND (download_count < max_downloads OR %s)
  AND (download_count > 0 OR NOT %s)
"""
_STATE = """
SELECT revoked_at, retired_at, expires_at, download_count, max_downloads
FROM software_downloadlink WHERE token_digest = %s
"""


@dataclass(frozen=True)
class Claim:
    link_id: int
    partner_id: int
    purchase_id: int
    variant_id: int


def _db_time(at: datetime):
    # Raw SQL skips the ORM's conversion; SQLite compares the text Django stores.
    return connection.ops.adapt_datetimefield_value(at)


def is_well_formed(token: str) -> bool:
    return bool(TOKEN_PATTERN.match(token))


def download_count(*, token: str, at: datetime) -> Claim | None:
    """Count one download if the link is live; None if it is not (nothing changes then)."""
    with connection.cursor() as cursor:
        cursor.execute(_COUNT, [token_digest(token), _db_time(at)])
        row = cursor.fetchone()
    return Claim(*row) if row else None


def download_peek(*, token: str, at: datetime, resuming: bool) -> Claim | None:
    with connection.cursor() as cursor:
        cursor.execute(_PEEK, [token_digest(token), _db_time(at), resuming, resuming])
        row = cursor.fetchone()
    return Claim(*row) if row else None


def dead_link_state(*, token: str, at: datetime) -> str | None:
    """Why the link does not work: its state, or None when no link has this token."""
    with connection.cursor() as cursor:
        cursor.execute(_STATE, [token_digest(token)])
        row = cursor.fetchone()
    if row is None:
        return None
    revoked_at, retired_at, expires_at, count, maximum = row
    if timezone.is_naive(expires_at):  # SQLite hands raw rows back naive, in UTC
        expires_at = expires_at.replace(tzinfo=UTC)
    link = DownloadLink(
        revoked_at=revoked_at,
        retired_at=retired_at,
        expires_at=expires_at,
        download_count=count,
        max_downloads=maximum,
    )
    state = link.state_at(at)
    return DownloadLinkState.USED_UP if state == DownloadLinkState.LIVE else state
