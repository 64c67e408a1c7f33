"""Reads on partners' users and tokens."""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import NamedTuple

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from core.errors import NotFound
from core.tenancy import partner_scope

from .auth_backends import api_token_facts_get, api_token_facts_update
from .invitations import invitation_token
from .models import API_TOKEN_PREFIX, ApiToken, Invitation, Partner, User, api_token_digest

# The largest id PostgreSQL's bigint holds: a bigger one in a link names nothing.
_MAX_ID = 2**63 - 1
# Writing last_used_at on every call would make every API read a write.
_LAST_USED_RESOLUTION_SECONDS = 300


def user_list() -> QuerySet[User]:
    """Return the partner's users by e-mail."""
    return User.members.order_by("email")


def user_get(*, user_id: int) -> User:
    """Return one of the partner's users; NotFound for any other id."""
    user = User.members.filter(pk=user_id).first()
    if user is None:
        raise NotFound("User not found.")
    return user


def invitation_list() -> QuerySet[Invitation]:
    """Return the current partner's pending invitations, newest first."""
    return Invitation.objects.pending().order_by("-sent_at", "-id")


def invitation_from_link(*, uidb64: str, token: str, at: datetime) -> Invitation | None:
    """Return the pending, unexpired invitation a link names with its current token, else None.

    The link is this entry point's credential, as a session is a page's: it names the
    invitation, whose partner becomes the scope of what follows.
    """
    try:
        invitation_id = int(force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, TypeError, OverflowError):
        return None
    if not 0 < invitation_id <= _MAX_ID:
        return None
    # Partners are not partner-scoped: the join names this invitation's partner, nothing more.
    partner = Partner.objects.filter(invitations=invitation_id).first()
    if partner is None:
        return None
    with partner_scope(partner):
        invitation = (
            Invitation.objects.pending().filter(pk=invitation_id, expires_at__gt=at).first()
        )
    if invitation is None or not constant_time_compare(invitation_token(invitation), token):
        return None
    invitation.partner = partner
    return invitation


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    """Return the user's API tokens, newest first."""
    return ApiToken.objects.filter(user=user).order_by("-created_at")


class _ApiTokenFacts(NamedTuple):
    pk: int
    user_id: int
    digest: str
    expires_at: datetime
    last_used_at: datetime | None


def _usable_api_token_facts(lookup_id: str) -> _ApiTokenFacts | None:
    row = (
        ApiToken.objects.usable()
        .filter(lookup_id=lookup_id)
        .values_list("pk", "user_id", "digest", "expires_at", "last_used_at")
        .first()
    )
    return None if row is None else _ApiTokenFacts(*row)


def api_token_user(*, presented: str) -> User | None:
    """Return the active user a presented token belongs to; None when it is not a usable token.

    Reads no row on most calls: the token's facts and its user come from the cache while no
    write has changed them (partners.auth_backends).
    """
    prefix, _, rest = presented.partition("_")
    lookup_id, _, secret = rest.partition("_")
    if prefix != API_TOKEN_PREFIX or not secret or len(presented) > 200:
        return None
    if not (lookup_id.isascii() and lookup_id.isalnum()):  # it names a cache key
        return None
    version, token, user = api_token_facts_get(
        lookup_id=lookup_id, load=lambda: _usable_api_token_facts(lookup_id)
    )
    now = timezone.now()
    if (
        token is None
        or token.expires_at <= now
        or not hmac.compare_digest(token.digest, api_token_digest(secret))
    ):
        return None
    if user is None or not user.is_active:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > (
        _LAST_USED_RESOLUTION_SECONDS
    ):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        api_token_facts_update(
            lookup_id=lookup_id, version=version, facts=token._replace(last_used_at=now)
        )
    return user
