"""Who is signed in, without reading the user and partner rows on every request.

AuthenticationMiddleware asks the session's backend for the user on each request. These backends
keep the user (with its partner) in the cache as a versioned copy (core.cached_rows). Every save
or delete of a user, or of a partner for all its users, renews the versions of the users
concerned. So a role change, a deactivation or a password change (which changes the session hash
Django checks) takes effect on the next request anywhere.

An API token's facts (its user, digest, expiry) are kept the same way under a version of the
token, renewed by every save or delete of the token and by every change to its user or partner.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.cached_rows import cached_row_get, cached_row_replace, versions_renew_now_and_on_commit

from .models import ApiToken, Partner, User

T = TypeVar("T")


def _entry_key(user_id) -> str:
    return f"portal:signed-in:user:{user_id}"


def _version_key(user_id) -> str:
    return f"portal:signed-in:version:{user_id}"


def _token_entry_key(lookup_id) -> str:
    return f"portal:api-token:{lookup_id}"


def _token_version_key(lookup_id) -> str:
    return f"portal:api-token:version:{lookup_id}"


def _signed_in_user_load(user_id) -> User | None:
    return User.objects.select_related("partner").filter(pk=user_id).first()


def signed_in_user_get(*, user_id) -> User | None:
    """Return the user with this id and its partner, from the cache when its version is current."""
    return cached_row_get(
        copy_key=_entry_key(user_id),
        version_key=_version_key(user_id),
        load=lambda: _signed_in_user_load(user_id),
    )[1]


# A token's user never changes: knowing it, one round trip to the cache reads both.
_token_user_ids: dict[str, int] = {}
_TOKEN_USER_IDS_KEPT = 10_000


def api_token_facts_get(
    *, lookup_id: str, load: Callable[[], T | None]
) -> tuple[str | None, T | None, User | None]:
    """Return a usable token's facts (`load` reads them, with the token's `user_id`), the version
    they are current in, and the token's user with its partner; from the cache while no write has
    changed the token, its user or its partner."""
    token_keys = [_token_entry_key(lookup_id), _token_version_key(lookup_id)]
    known_user_id = _token_user_ids.get(lookup_id)
    user_keys = (
        [_entry_key(known_user_id), _version_key(known_user_id)] if known_user_id else []
    )
    found = cache.get_many(token_keys + user_keys)
    version, facts = cached_row_get(
        copy_key=token_keys[0], version_key=token_keys[1], load=load, found=found
    )
    if facts is None:
        return version, None, None
    if len(_token_user_ids) >= _TOKEN_USER_IDS_KEPT:
        _token_user_ids.clear()
    _token_user_ids[lookup_id] = facts.user_id
    _, user = cached_row_get(
        copy_key=_entry_key(facts.user_id),
        version_key=_version_key(facts.user_id),
        load=lambda: _signed_in_user_load(facts.user_id),
        found=found if known_user_id == facts.user_id else None,
    )
    return version, facts, user


def api_token_facts_update(*, lookup_id: str, version: str | None, facts) -> None:
    """Store facts changed by a write that renews no version: the time of last use."""
    cached_row_replace(copy_key=_token_entry_key(lookup_id), version=version, value=facts)


def _users_and_their_tokens_forget(user_ids: list) -> None:
    # A token's facts are cached apart from its user's. Writes that bypass the token's save()
    # (user_deactivate revokes with one UPDATE) save the user in the same transaction.
    lookup_ids = ApiToken.objects.filter(user_id__in=user_ids).values_list("lookup_id", flat=True)
    versions_renew_now_and_on_commit(
        [*map(_version_key, user_ids), *map(_token_version_key, lookup_ids)]
    )


# Signals, not the services: every write reaches the row through save() or delete() (services,
# the admin site, allauth's password and sign-in updates), and each must invalidate.
@receiver(post_save, sender=User)
@receiver(post_delete, sender=User)
def user_changed(sender, instance, **kwargs):
    _users_and_their_tokens_forget([instance.pk])


@receiver(post_save, sender=Partner)
@receiver(post_delete, sender=Partner)
def partner_changed(sender, instance, **kwargs):
    _users_and_their_tokens_forget(
        list(User.objects.filter(partner_id=instance.pk).values_list("pk", flat=True))
    )


@receiver(post_save, sender=ApiToken)
@receiver(post_delete, sender=ApiToken)
def api_token_changed(sender, instance, **kwargs):
    versions_renew_now_and_on_commit([_token_version_key(instance.lookup_id)])


class _CachedUserMixin:
    def get_user(self, user_id):
        user = signed_in_user_get(user_id=user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class CachedModelBackend(_CachedUserMixin, ModelBackend):
    """Django's model backend, with the signed-in user read from the cache."""


class CachedAllauthBackend(_CachedUserMixin, AuthenticationBackend):
    """allauth's e-mail backend, with the signed-in user read from the cache."""
