"""Order requests that are safe to repeat: the same key within 24 hours gets the first answer.

The key's row is inserted first, in the same transaction as the order. A concurrent request with
the same key blocks on the unique index until the first commits, then replays its stored answer,
so two requests with one key create one order. A different body under a used key is a 409.
A refusal undoes the order's transaction, the claim with it, and is kept in a second one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, PortalError

from ..models import IdempotencyRecord

REPLAY_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    body: bytes
    replayed: bool


def request_fingerprint(payload: bytes) -> str:
    """Return the SHA-256 of a request, to tell a replay from another request under one key."""
    return hashlib.sha256(payload).hexdigest()


# ON CONFLICT waits, as the unique index would, for a transaction that inserted the same key, and
# then inserts nothing instead of failing: no savepoint is needed to carry on after a used key.
_CLAIM = """
INSERT INTO orders_idempotencyrecord (partner_id, key, request_fingerprint, created_at)
VALUES (%s, %s, %s, %s)
ON CONFLICT (partner_id, key) DO NOTHING
RETURNING id
"""


def _inserted(record: IdempotencyRecord) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM, [
            record.partner_id, record.key, record.request_fingerprint,
            connection.ops.adapt_datetimefield_value(record.created_at),
        ])
        row = cursor.fetchone()
    if row is None:
        return False
    record.pk, record._state.adding = row[0], False
    return True


def _claim(*, partner, key: str, fingerprint: str) -> IdempotencyRecord | StoredAnswer:
    """The new row for this key, or the first answer when the key was already used."""
    record = IdempotencyRecord(partner=partner, key=key, request_fingerprint=fingerprint)
    if _inserted(record):
        return record
    existing = IdempotencyRecord.objects.select_for_update().get(key=key)
    if existing.created_at < timezone.now() - REPLAY_WINDOW:
        existing.delete()
        record.save(force_insert=True)
        return record
    if existing.request_fingerprint != fingerprint:
        raise Conflict(
            _("This idempotency key was already used for a different request."),
            code="idempotency_key_reused",
        )
    return StoredAnswer(
        status=existing.response_status, body=bytes(existing.response_body), replayed=True
    )


def idempotent_call(
    *,
    partner,
    key: str,
    fingerprint: str,
    call: Callable[[], tuple[int, bytes]],
    render_error: Callable[[PortalError], tuple[int, bytes]],
) -> StoredAnswer:
    """Run `call` once per key; keep its answer (success or refusal) for replays."""
    with transaction.atomic():
        claimed = _claim(partner=partner, key=key, fingerprint=fingerprint)
        if isinstance(claimed, StoredAnswer):
            return claimed
        try:
            return _answered(claimed, *call())
        except PortalError as error:
            refused = error
            # No savepoint around `call` (two statements on every order): a refusal undoes the
            # whole transaction, the key's claim with it, and is kept by a transaction of its own.
            transaction.set_rollback(True)
    status, body = render_error(refused)
    with transaction.atomic():
        claimed = _claim(partner=partner, key=key, fingerprint=fingerprint)
        # A request with this key that waited on the undone claim answered first: that answer
        # is the key's, as it would be for any later replay.
        if isinstance(claimed, StoredAnswer):
            return claimed
        return _answered(claimed, status, body)


def _answered(claimed: IdempotencyRecord, status: int, body: bytes) -> StoredAnswer:
    claimed.response_status, claimed.response_body = status, body
    claimed.save(update_fields=["response_status", "response_body"])
    return StoredAnswer(status=status, body=body, replayed=False)
