"""Activation keys are stored encrypted (Fernet); the database alone does not reveal them.

Keys come from ACTIVATION_KEY_ENCRYPTION_KEYS (comma-separated Fernet keys, newest first, so an
old key can still decrypt during rotation); without it, one is derived from SECRET_KEY, which
never lives in the database.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings

from core.crypto import configured_keys, derive_fernet_key


@lru_cache(maxsize=1)
def _cipher() -> MultiFernet:
    keys = [key.encode() for key in configured_keys()] or [
        derive_fernet_key(settings.SECRET_KEY, purpose=b"csp-portal activation keys")
    ]
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(text: str) -> str:
    return _cipher().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    return _cipher().decrypt(token.encode()).decode()
