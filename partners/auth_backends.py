"""Who is signed in, without reading the user and partner rows on every request.

AuthenticationMiddleware asks the session's backend for the user on each request. These backends
keep the user (with its partner) in the cache, stamped with the user's current version. Every save
or delete of a user, or of a partner for all its users, gives the users concerned a new version at
once and again when its transaction commits, in the cache every process shares. So a role change,
a deactivation or a password change (which changes the session hash Django checks) takes effect on
the next request anywhere, and an entry stored by a request that read the row before the change
commits carries the old version and is never used.
"""

from __future__ import annotations

import secrets

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Partner, User

# A version outlives the entries it stamps. An entry lives a minute: the cache fails open
# (core/cache.py), so a new version that could not reach it leaves a stale entry at most that long.
_TIMEOUT_SECONDS = 24 * 3600
_ENTRY_SECONDS = 60


def _entry_key(user_id) -> str:
    return f"portal:signed-in:user:{user_id}"


def _version_key(user_id) -> str:
    return f"portal:signed-in:version:{user_id}"


def _current_version(user_id) -> str | None:
    key = _version_key(user_id)
    cache.add(key, secrets.token_hex(8), _TIMEOUT_SECONDS)
    return cache.get(key)


def signed_in_user_get(*, user_id) -> User | None:
    """Return the user with this id and its partner, from the cache when its version is current."""
    found = cache.get_many([_entry_key(user_id), _version_key(user_id)])
    version = found.get(_version_key(user_id))
    entry = found.get(_entry_key(user_id))
    if version is not None and entry is not None and entry[0] == version:
        return entry[1]
    # Read before the row: a change committed in between gives a newer version than this one.
    version = version or _current_version(user_id)
    user = User.objects.select_related("partner").filter(pk=user_id).first()
    if user is not None and version is not None:
        cache.set(_entry_key(user_id), (version, user), _ENTRY_SECONDS)
    return user


def signed_in_users_forget(*, user_ids) -> None:
    """Give these users a new version: their cached entries are not used again."""
    cache.set_many(
        {_version_key(user_id): secrets.token_hex(8) for user_id in user_ids}, _TIMEOUT_SECONDS
    )


def _forget_now_and_on_commit(user_ids: list) -> None:
    # Now, for this process's next read inside the transaction; on commit, for an entry another
    # request stored from the row as it was before the commit.
    signed_in_users_forget(user_ids=user_ids)
    transaction.on_commit(lambda: signed_in_users_forget(user_ids=user_ids))


# Signals, not the services: every write reaches the row through save() or delete() (services,
# the admin site, allauth's password and sign-in updates), and each must invalidate.
@receiver(post_save, sender=User)
@receiver(post_delete, sender=User)
def user_changed(sender, instance, **kwargs):
    _forget_now_and_on_commit([instance.pk])


@receiver(post_save, sender=Partner)
@receiver(post_delete, sender=Partner)
def partner_changed(sender, instance, **kwargs):
    _forget_now_and_on_commit(
        list(User.objects.filter(partner_id=instance.pk).values_list("pk", flat=True))
    )


class _CachedUserMixin:
    def get_user(self, user_id):
        user = signed_in_user_get(user_id=user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class CachedModelBackend(_CachedUserMixin, ModelBackend):
    """Django's model backend, with the signed-in user read from the cache."""


class CachedAllauthBackend(_CachedUserMixin, AuthenticationBackend):
    """allauth's e-mail backend, with the signed-in user read from the cache."""
