"""Downloads through a link: no more whole downloads leave than the link allows.

The rule, whatever the mix of GET, HEAD and Range requests, in any order, under any concurrency:

- A *counted download* is a `Download` row, created only by the conditional write that counts it
  on the link (`download_count < max_downloads`), in the same transaction.
- A counted download may serve at most its byte budget: the file's size plus a slack for what a
  dropped connection had in flight (1/RESUME_SLACK_DIVISOR of the file, at most
  RESUME_SLACK_MAX_BYTES), for RESUME_WINDOW after it started, and only while the link lives
  (not expired, replaced or revoked).
- Every request that serves bytes reserves them before the first byte leaves, with conditional
  UPDATEs: on its counted download (`bytes_reserved + n <= byte_budget`) and on the link
  (`bytes_reserved + n <= max_downloads * size`). So the link never serves more than
  `max_downloads` times the file, and whole downloads stay within the allowance strictly, slack
  included: slack a resume used comes out of the allowance, so once less than a whole file is
  left, a whole download is refused even if fewer than `max_downloads` were counted.
  A stream that ends early gives back what it never sent, so the transfer can resume.
- A GET of the whole file counts a new download. A GET with one byte range continues the link's
  latest open counted download with room for the range; else it counts a new download; else it
  is refused (410). A range naming no byte of the file is 416; several ranges, or a Range that
  If-Range does not match, ask for the whole file.
- HEAD serves no bytes: it counts nothing, records nothing, and answers 200 only when a whole
  download could be counted now.
- Every request that serves bytes records an activity event in the transaction that reserves
  them: "Software downloaded" when it counts a download, "Software download resumed" when it
  continues one; both carry the counted download's id (`downloadId`).
- When the proxy (`x-accel`) or the object store (`storage-url`) serves the file, ranges are
  served where the portal cannot count bytes: there every request that reaches the portal counts
  a download of the whole file. With `storage-url` the store serves the bytes from a presigned
  URL that the portal hands out only after counting: the portal cannot reserve bytes there, so
  the bound is the URL's lifetime (AWS_QUERYSTRING_EXPIRE, 60 seconds by default,
  core.storage.PRESIGNED_URL_SECONDS): what one counted download yields is what can be fetched
  from that URL before it expires, a transfer started in time and finished later included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activity.models import OperationType, ResourceType, uuid7
from activity.services import event_record
from catalog.models import SoftwareVariant
from core.errors import Gone, PortalError
from core.request_context import current_request_context
from core.tenancy import partner_scope
from customers.models import Customer
from orders.models import Purchase
from partners.models import Partner

from .. import token_sql
from ..delivery import ByteRange, UnsatisfiableRange, etag, requested_range
from ..models import DownloadLinkState
from ..tokens import token_digest

# A download manager resumes a broken transfer within minutes or hours, not days.
RESUME_WINDOW = timedelta(hours=24)
# What a dropped connection had in flight (socket buffers, a proxy's small buffers) was counted
# as sent and is asked for again on resume. An eighth of the file, at most 64 MiB: a few
# interruptions of a large file fit, and one counted download never yields two copies.
RESUME_SLACK_DIVISOR = 8
RESUME_SLACK_MAX_BYTES = 64 * 1024 * 1024

_DEAD_LINK_MESSAGES = {
    DownloadLinkState.EXPIRED: gettext_lazy("It has expired."),
    DownloadLinkState.USED_UP: gettext_lazy("It has been used for all the downloads it allows."),
    DownloadLinkState.RETIRED: gettext_lazy("A newer link replaced it."),
    DownloadLinkState.REVOKED: gettext_lazy(
        "It was revoked because the purchase was cancelled."
    ),
    None: gettext_lazy("No download has this link. Check that it was copied whole."),
}


class DownloadRefused(Gone):
    """The link cannot serve this request: unknown (state None), expired, used up, replaced or
    revoked. Nothing was counted or reserved."""


    def __init__(self, state: str | None):
        super().__init__(
            str(_DEAD_LINK_MESSAGES[state]), code=f"download_link_{state or 'unknown'}"
        )
        self.state = state


class RangeNotSatisfiable(PortalError):
    """The Range names no byte of the file. Nothing was counted or reserved."""

    code = "range_not_satisfiable"

    def __init__(self, size: int):
        super().__init__(
            _(
                "The range asked for is not part of this file, which has %(size)s bytes "
                "(from byte 0 to byte %(last)s)."
            )
            % {"size": size, "last": max(size - 1, 0)}
        )
        self.size = size


@dataclass(frozen=True)
class DownloadGrant:
    """What the request may be sent: the whole file (byte_range None) or one range of it."""

    variant: SoftwareVariant
    byte_range: ByteRange | None
    link_id: int
    download_id: int | None  # None for HEAD, which serves nothing
    counted: bool = False  # this request counted a new download (not a resume, not HEAD)


def download_byte_budget(size: int) -> int:
    """Return the most one counted download of a file of this size may serve, resumes included."""
    return size + min(size // RESUME_SLACK_DIVISOR, RESUME_SLACK_MAX_BYTES)


@transaction.atomic
def download_link_consume(
    *,
    token: str,
    method: str,
    range_header: str = "",
    if_range: str = "",
    actor=None,
    at: datetime | None = None,
) -> DownloadGrant:
    """Decide what a request on a download link may be sent, and count and record it."""
    at = at or timezone.now()
    if method == "GET" and not range_header and token_sql.counts_in_one_statement():
        return _whole_download(token=token, actor=actor, at=at)
    link = token_sql.link_peek(digest=token_digest(token), at=at)
    if link is None:
        raise DownloadRefused(None)
    if link.state not in (DownloadLinkState.LIVE, DownloadLinkState.USED_UP):
        raise DownloadRefused(link.state)
    try:
        byte_range = requested_range(
            range_header=range_header,
            if_range=if_range,
            file_etag=etag(link.sha256),
            size=link.size,
        )
    except UnsatisfiableRange:
        raise RangeNotSatisfiable(link.size) from None
    if method == "HEAD":
        if not link.can_count:
            raise DownloadRefused(DownloadLinkState.USED_UP)
        return DownloadGrant(
            variant=SoftwareVariant.objects.get(pk=link.variant_id),
            byte_range=None,
            link_id=link.link_id,
            download_id=None,
        )
    # Only bytes the portal streams itself can be counted, so only they can continue a download;
    # a proxy or a store serving the file gets a new count of the whole file for every request.
    continues = byte_range is not None and settings.DOWNLOAD_DELIVERY == "django"
    if not continues and not link.can_count:
        raise DownloadRefused(DownloadLinkState.USED_UP)
    reserve = byte_range.length if continues else link.size
    download_id = None
    if continues:
        download_id = token_sql.download_continue(link=link, reserve=reserve, at=at)
    operation = OperationType.SOFTWARE_DOWNLOAD_RESUMED
    if download_id is None:
        operation = OperationType.SOFTWARE_DOWNLOAD
        download_id = token_sql.download_start(
            link=link,
            reserve=reserve,
            budget=download_byte_budget(link.size),
            at=at,
            resumable_until=at + RESUME_WINDOW,
            ip_address=current_request_context().ip_address,
        )
    if download_id is None:
        _refuse_after_a_lost_count(token=token, at=at)
    partner = Partner.objects.get(pk=link.partner_id)
    with partner_scope(partner):
        purchase = Purchase.objects.select_related("customer").get(pk=link.purchase_id)
        variant = SoftwareVariant.objects.get(pk=link.variant_id)
        _download_record(
            partner=partner,
            actor=actor,
            operation=operation,
            customer=purchase.customer,
            product_title=purchase.product_title,
            order_id=purchase.order_id,
            variant=variant,
            link_id=link.link_id,
            download_id=download_id,
            byte_range=byte_range,
        )
    return DownloadGrant(
        variant=variant,
        byte_range=byte_range,
        link_id=link.link_id,
        download_id=download_id,
        counted=operation == OperationType.SOFTWARE_DOWNLOAD,
    )


def _refuse_after_a_lost_count(*, token: str, at: datetime) -> None:
    again = token_sql.link_peek(digest=token_digest(token), at=at)
    state = again.state if again is not None else None
    # A link that still reads live ran out of bytes, or lost its last download to a race.
    raise DownloadRefused(DownloadLinkState.USED_UP if state == DownloadLinkState.LIVE else state)


def _whole_download(*, token: str, actor, at: datetime) -> DownloadGrant:
    # The common request in one statement that counts, reads and records the event
    # (token_sql._COUNT_WHOLE); the refusals decide as the general path below does.
    context = current_request_context()
    named = actor is not None and actor.is_authenticated
    whole = token_sql.download_start_whole(
        digest=token_digest(token),
        at=at,
        resumable_until=at + RESUME_WINDOW,
        slack_divisor=RESUME_SLACK_DIVISOR,
        slack_max=RESUME_SLACK_MAX_BYTES,
        ip_address=context.ip_address,
        event=token_sql.DownloadEvent(
            event_id=uuid7(),
            # _download_record's rule: a partner's own signed-in user is named, anyone else
            # holding the link is a link holder.
            actor_partner_id=actor.partner_id if named else None,
            actor_id=actor.pk if named else None,
            actor_email=actor.email.lower() if named else "",
            user_agent=context.user_agent[:512],
            correlation_id=context.correlation_id,
            request_id=context.request_id,
        ),
    )
    if whole is None:
        raise DownloadRefused(None)
    link = whole.link
    if whole.download_id is None:
        if link.state not in (DownloadLinkState.LIVE, DownloadLinkState.USED_UP):
            raise DownloadRefused(link.state)
        if not link.can_count:
            raise DownloadRefused(DownloadLinkState.USED_UP)
        _refuse_after_a_lost_count(token=token, at=at)
    return DownloadGrant(
        variant=whole.variant,
        byte_range=None,
        link_id=link.link_id,
        download_id=whole.download_id,
        counted=True,
    )


def _download_record(
    *,
    partner,
    actor,
    operation: OperationType,
    customer: Customer,
    product_title: str,
    order_id,
    variant: SoftwareVariant,
    link_id: int,
    download_id: int,
    byte_range: ByteRange | None,
) -> None:
    # A partner's own signed-in user is named; anyone else holding the link is a link holder.
    if actor is None or not actor.is_authenticated or actor.partner_id != partner.pk:
        actor = None
    details = {
        "productTitle": product_title,
        "orderId": str(order_id),
        "version": variant.version,
        "language": variant.language,
        "fileType": variant.file_type,
        "downloadId": download_id,
    }
    if byte_range is not None:
        details["range"] = f"bytes {byte_range.start}-{byte_range.end}/{variant.size_bytes}"
    event_record(
        partner=partner,
        actor=actor,
        actor_email=actor.email if actor else "",
        operation=operation,
        resource_type=ResourceType.SOFTWARE,
        customer=customer,
        object_id=str(link_id),
        details=details,
    )


@transaction.atomic
def download_release(*, link_id: int, download_id: int, unsent_bytes: int) -> None:
    """Give back the bytes a download reserved and never sent, so that it can be resumed."""
    token_sql.download_release(link_id=link_id, download_id=download_id, unsent=unsent_bytes)
