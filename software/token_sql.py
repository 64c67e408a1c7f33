"""The SQL a download token reaches: links and counted downloads read and written without a
partner scope.

The token is the entry point here, as the session is for pages and the API token for the API:
it names the link, and the link's partner becomes the scope for what follows
(services/downloading.py). Nothing else may touch these rows without the scoped manager.

Every write is one conditional statement, so its rule holds however many requests arrive at
once. Each write locks the link row first and its download rows after it, so requests on one
link queue behind each other and never deadlock; PostgreSQL re-checks a waiting UPDATE's
conditions on the row it finally locks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, transaction
from django.utils.dateparse import parse_datetime

from orders.models import PurchaseStatus

from .models import DownloadLink, DownloadLinkState

_PEEK = """
SELECT l.id, l.partner_id, l.purchase_id, l.variant_id, p.status, l.retired_at,
       l.expires_at, l.download_count, l.max_downloads, l.bytes_reserved, v.size_bytes, v.sha256
FROM software_downloadlink l
  JOIN catalog_softwarevariant v ON v.id = l.variant_id
  JOIN orders_orderline p ON p.id = l.purchase_id
WHERE l.token_digest = %s
"""
# Both writes on a link need it alive (not replaced, not past its time, its purchase active: a
# requested cancellation revokes it) and keep its bytes within max_downloads times the file (in
# bigint: 50 times a 2 GB file overflows an integer). Counting a download reserves its first bytes.
_LINK_ALIVE = """
  id = %(link)s AND retired_at IS NULL AND expires_at > %(now)s
  AND EXISTS (
    SELECT 1 FROM orders_orderline p
    WHERE p.id = software_downloadlink.purchase_id AND p.status = 'active'
  )"""
# Composed of this module's constants only, never of input.
_COUNT = f"""
UPDATE software_downloadlink
SET download_count = download_count + 1, bytes_reserved = bytes_reserved + %(bytes)s
WHERE {_LINK_ALIVE}
  AND download_count < max_downloads
  AND bytes_reserved + %(bytes)s <= CAST(max_downloads AS BIGINT) * %(size)s
RETURNING id
"""  # noqa: S608
_START = """
INSERT INTO software_download
  (partner_id, link_id, started_at, resumable_until, byte_budget, bytes_reserved, ip_address)
VALUES (%(partner)s, %(link)s, %(now)s, %(until)s, %(budget)s, %(bytes)s, %(ip)s)
RETURNING id
"""
_RESERVE_ON_LINK = f"""
UPDATE software_downloadlink SET bytes_reserved = bytes_reserved + %(bytes)s
WHERE {_LINK_ALIVE}
  AND bytes_reserved + %(bytes)s <= CAST(max_downloads AS BIGINT) * %(size)s
RETURNING id
"""  # noqa: S608
# The link's latest counted download that is still resumable and has room for the bytes.
_RESERVE_ON_DOWNLOAD = """
UPDATE software_download SET bytes_reserved = bytes_reserved + %(bytes)s
WHERE id = (
  SELECT id FROM software_download
  WHERE link_id = %(link)s AND resumable_until > %(now)s
    AND bytes_reserved + %(bytes)s <= byte_budget
  ORDER BY id DESC LIMIT 1
)
RETURNING id
"""
_RELEASE_ON_LINK = """
UPDATE software_downloadlink SET bytes_reserved = bytes_reserved - %(bytes)s WHERE id = %(link)s
"""
_RELEASE_ON_DOWNLOAD = """
UPDATE software_download SET bytes_reserved = bytes_reserved - %(bytes)s WHERE id = %(download)s
"""


@dataclass(frozen=True)
class LinkRow:
    link_id: int
    partner_id: int
    purchase_id: int
    variant_id: int
    state: str  # a DownloadLinkState
    can_count: bool  # a whole download could be counted now
    size: int
    sha256: str


def _db_time(at: datetime):
    # Raw SQL skips the ORM's conversion; SQLite compares the text Django stores.
    return connection.ops.adapt_datetimefield_value(at)


def _aware(value) -> datetime | None:
    # PostgreSQL gives aware datetimes; SQLite gives naive UTC ones (or text when undeclared).
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def _one(sql: str, params) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def link_peek(*, digest: str, at: datetime) -> LinkRow | None:
    """The link with this token digest, its state at `at` and its file; None if there is none."""
    row = _one(_PEEK, [digest])
    if row is None:
        return None
    (link_id, partner_id, purchase_id, variant_id, purchase_status, retired_at, expires_at, count,
     maximum, bytes_reserved, size, sha256) = row
    link = DownloadLink(
        retired_at=_aware(retired_at),
        expires_at=_aware(expires_at),
        download_count=count,
        max_downloads=maximum,
    )
    state = link.state_at(at, purchase_active=purchase_status == PurchaseStatus.ACTIVE)
    return LinkRow(
        link_id=link_id,
        partner_id=partner_id,
        purchase_id=purchase_id,
        variant_id=variant_id,
        state=state,
        can_count=state == DownloadLinkState.LIVE and bytes_reserved + size <= maximum * size,
        size=size,
        sha256=sha256,
    )


def download_start(
    *,
    link: LinkRow,
    reserve: int,
    budget: int,
    at: datetime,
    resumable_until: datetime,
    ip_address: str | None,
) -> int | None:
    """Count a download on the link and reserve its first bytes; its id, or None if refused."""
    params = {
        "link": link.link_id,
        "partner": link.partner_id,
        "bytes": reserve,
        "size": link.size,
        "budget": budget,
        "now": _db_time(at),
        "until": _db_time(resumable_until),
        "ip": connection.ops.adapt_ipaddressfield_value(ip_address),
    }
    if _one(_COUNT, params) is None:
        return None
    return _one(_START, params)[0]


def download_continue(*, link: LinkRow, reserve: int, at: datetime) -> int | None:
    """Reserve bytes on the link's latest open download; its id, or None if none has room."""
    params = {"link": link.link_id, "bytes": reserve, "size": link.size, "now": _db_time(at)}
    with transaction.atomic():
        if _one(_RESERVE_ON_LINK, params) is None:
            return None
        row = _one(_RESERVE_ON_DOWNLOAD, params)
        if row is None:  # the link had room, no download had: take back the link's share
            transaction.set_rollback(True)
            return None
        return row[0]


def download_release(*, link_id: int, download_id: int, unsent: int) -> None:
    """Give back bytes a download reserved and never sent."""
    params = {"link": link_id, "download": download_id, "bytes": unsent}
    with connection.cursor() as cursor:
        cursor.execute(_RELEASE_ON_LINK, params)
        cursor.execute(_RELEASE_ON_DOWNLOAD, params)
