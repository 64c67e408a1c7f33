"""Keys for secrets at rest (Fernet); none of them lives in the database.

ACTIVATION_KEY_ENCRYPTION_KEYS lists Fernet keys, newest first: the newest encrypts and every one
still decrypts, so a key can be rotated in. Without it, keys are derived from SECRET_KEY.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def configured_keys() -> list[str]:
    """Return ACTIVATION_KEY_ENCRYPTION_KEYS, newest first, blanks dropped."""
    return [k.strip() for k in settings.ACTIVATION_KEY_ENCRYPTION_KEYS if k.strip()]


def derive_fernet_key(material: str, *, purpose: bytes) -> bytes:
    """Derive a Fernet key from secret material, a different one for each purpose."""
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        material.encode()
    )
    return base64.urlsafe_b64encode(derived)


def purpose_cipher(purpose: bytes) -> MultiFernet:
    """Return a cipher for one purpose: the newest key encrypts, every configured key decrypts."""
    material = configured_keys() or [settings.SECRET_KEY]
    return MultiFernet([Fernet(derive_fernet_key(m, purpose=purpose)) for m in material])
