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

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, transaction
from django.utils.dateparse import parse_datetime

from activity.models import OperationType, ResourceType
from catalog.models import SoftwareVariant
from orders.models import PurchaseStatus

from .models import DownloadLink, DownloadLinkState

# Named apart from the link's own columns, so that a statement can update the link from it.
_PEEK_SELECT = """
SELECT l.id AS peek_link, l.partner_id AS peek_partner, l.purchase_id AS peek_purchase,
       l.variant_id AS peek_variant, p.status AS peek_status, l.retired_at AS peek_retired_at,
       l.expires_at AS peek_expires_at, l.download_count AS peek_count,
       l.max_downloads AS peek_max, l.bytes_reserved AS peek_reserved, v.size_bytes AS peek_size,
       v.sha256 AS peek_sha256
FROM software_downloadlink l
  JOIN catalog_softwarevariant v ON v.id = l.variant_id
  JOIN orders_orderline p ON p.id = l.purchase_id
"""
_PEEK = _PEEK_SELECT + "WHERE l.token_digest = %s"
# Both writes on a link need it alive (not replaced, not past its time, its purchase active: a
# requested cancellation revokes it) and keep its bytes within max_downloads times the file (in
# bigint: 50 times a 2 GB file overflows an integer). Counting a download reserves its first bytes.
_ALIVE = """
  retired_at IS NULL AND expires_at > %(now)s
  AND EXISTS (
    SELECT 1 FROM orders_orderline p
    WHERE p.id = software_downloadlink.purchase_id AND p.status = 'active'
  )"""
_LINK_ALIVE = "id = %(link)s AND" + _ALIVE
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


# A GET of the whole file on PostgreSQL, in one statement: the peek, the count (_COUNT's
# conditions) and the counted download (_START), then what the response and its event need.
# Each part re-checks what it writes as the statements above do, so the rule is unchanged.
_COUNT_WHOLE = f"""
WITH peek AS ({_PEEK_SELECT} WHERE l.token_digest = %(digest)s),
counted AS (
  UPDATE software_downloadlink
  SET download_count = download_count + 1, bytes_reserved = bytes_reserved + peek.peek_size
  FROM peek
  WHERE id = peek.peek_link AND {_ALIVE}
    AND download_count < max_downloads
    AND bytes_reserved + peek.peek_size <= CAST(max_downloads AS BIGINT) * peek.peek_size
  RETURNING id
),
started AS (
  INSERT INTO software_download
    (partner_id, link_id, started_at, resumable_until, byte_budget, bytes_reserved, ip_address)
  SELECT peek.peek_partner, peek.peek_link, %(now)s, %(until)s,
         peek.peek_size + LEAST(peek.peek_size / %(slack_divisor)s, %(slack_max)s),
         peek.peek_size, %(ip)s
  FROM peek JOIN counted ON counted.id = peek.peek_link
  RETURNING id
),
recorded AS (
  INSERT INTO activity_event
    (id, occurred_at, partner_id, actor_id, actor_email, ip_address, user_agent, correlation_id,
     request_id, operation_type, operation_status, resource_type, customer_id, object_id, details)
  SELECT %(event_id)s, %(now)s, peek.peek_partner,
         CASE WHEN peek.peek_partner = CAST(%(actor_partner)s AS BIGINT)
              THEN CAST(%(actor_id)s AS BIGINT) END,
         CASE WHEN peek.peek_partner = CAST(%(actor_partner)s AS BIGINT)
              THEN CAST(%(actor_email)s AS TEXT) ELSE '' END,
         %(ip)s, %(user_agent)s, %(correlation_id)s, %(request_id)s, %(operation)s,
         'succeeded', %(resource)s, p.customer_id, CAST(peek.peek_link AS TEXT),
         jsonb_build_object(
           'productTitle', p.product_title, 'orderId', CAST(p.order_id AS TEXT),
           'version', v.version, 'language', v.language, 'fileType', v.file_type,
           'downloadId', started.id)
  FROM peek CROSS JOIN started
    JOIN orders_orderline p ON p.id = peek.peek_purchase
    JOIN catalog_softwarevariant v ON v.id = peek.peek_variant
)
SELECT peek.*, (SELECT id FROM started), p.product_title, p.order_id, p.customer_id,
       v.product_id, v.version, v.language, v.file_type, v.file
FROM peek
  JOIN orders_orderline p ON p.id = peek.peek_purchase
  JOIN catalog_softwarevariant v ON v.id = peek.peek_variant
"""  # noqa: S608


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
    return None if row is None else _link_row(row, at=at)


def _link_row(row, *, at: datetime) -> LinkRow:
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


@dataclass(frozen=True)
class WholeDownload:
    """A GET of the whole file: the link as it was, the counted download (None if refused) and
    what the response and its event need."""

    link: LinkRow
    download_id: int | None
    product_title: str
    order_id: object
    customer_id: int
    variant: SoftwareVariant


def counts_in_one_statement() -> bool:
    """Tell whether the database runs a statement that both updates and inserts (PostgreSQL)."""
    return connection.vendor == "postgresql"


@dataclass(frozen=True)
class DownloadEvent:
    """The Activity log's record of a counted download, written by the statement that counts
    it: who (named only when of the link's partner), from where, and for which request."""

    event_id: uuid.UUID
    actor_partner_id: int | None
    actor_id: int | None
    actor_email: str
    user_agent: str
    correlation_id: str
    request_id: str


def download_start_whole(
    *,
    digest: str,
    at: datetime,
    resumable_until: datetime,
    slack_divisor: int,
    slack_max: int,
    ip_address: str | None,
    event: DownloadEvent,
) -> WholeDownload | None:
    """Count a download of the whole file on the link with this digest and record its Activity
    log event, in one statement."""
    row = _one(
        _COUNT_WHOLE,
        {
            "digest": digest,
            "now": _db_time(at),
            "until": _db_time(resumable_until),
            "slack_divisor": slack_divisor,
            "slack_max": slack_max,
            "ip": connection.ops.adapt_ipaddressfield_value(ip_address),
            "event_id": event.event_id,
            "actor_partner": event.actor_partner_id,
            "actor_id": event.actor_id,
            "actor_email": event.actor_email,
            "user_agent": event.user_agent,
            "correlation_id": event.correlation_id,
            "request_id": event.request_id,
            "operation": OperationType.SOFTWARE_DOWNLOAD,
            "resource": ResourceType.SOFTWARE,
        },
    )
    if row is None:
        return None
    link = _link_row(row[:12], at=at)
    (download_id, product_title, order_id, customer_id, product_id, version, language, file_type,
     file_name) = row[12:]
    variant = SoftwareVariant(
        id=link.variant_id, product_id=product_id, version=version, language=language,
        file_type=file_type, file=file_name, size_bytes=link.size, sha256=link.sha256,
    )
    return WholeDownload(
        link=link, download_id=download_id, product_title=product_title, order_id=order_id,
        customer_id=customer_id, variant=variant,
    )


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
