"""Reads on partners' users and tokens."""

from __future__ import annotations

import hmac

from django.db.models import QuerySet
from django.utils import timezone

from core.errors import NotFound

from .models import API_TOKEN_PREFIX, ApiToken, User, api_token_digest

# Writing last_used_at on every call would make every API read a write.
_LAST_USED_RESOLUTION_SECONDS = 300


def user_list() -> QuerySet[User]:
    return User.members.order_by("email")


def user_get(*, user_id: int) -> User:
    user = User.members.filter(pk=user_id).first()
    if user is None:
        raise NotFound("User not found.")
    return user


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def api_token_user(*, presented: str) -> User | None:
    """The active user a presented token belongs to, or None when it is not a usable token."""
    prefix, _, rest = presented.partition("_")
    lookup_id, _, secret = rest.partition("_")
    if prefix != API_TOKEN_PREFIX or not lookup_id or not secret or len(presented) > 200:
        return None
    token = (
        ApiToken.objects.usable()
        .select_related("user__partner")
        .filter(lookup_id=lookup_id)
        .first()
    )
    if token is None or not hmac.compare_digest(token.digest, api_token_digest(secret)):
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > (
        _LAST_USED_RESOLUTION_SECONDS
    ):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
