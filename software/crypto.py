"""Activation keys are stored encrypted (Fernet); the database alone does not reveal them.

Keys come from ACTIVATION_KEY_ENCRYPTION_KEYS (comma-separated Fernet keys, newest first, so an
old key can still decrypt during rotation); without it, one is derived from SECRET_KEY, which
never lives in the database.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _derived_from_secret_key() -> bytes:
    material = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"csp-portal activation keys"
    ).derive(settings.SECRET_KEY.encode())
    return base64.urlsafe_b64encode(material)


@lru_cache(maxsize=1)
def _cipher() -> MultiFernet:
    configured = [k.strip() for k in settings.ACTIVATION_KEY_ENCRYPTION_KEYS if k.strip()]
    keys = [key.encode() for key in configured] or [_derived_from_secret_key()]
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(text: str) -> str:
    return _cipher().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    return _cipher().decrypt(token.encode()).decode()
