"""TOTP secrets and recovery-code seeds are stored encrypted: a copy of the database mints no codes.

The keys are those of activation keys (core.crypto), each passed through HKDF for this purpose, so
rotating ACTIVATION_KEY_ENCRYPTION_KEYS rotates these too and a token of one kind never decrypts
as the other.
"""

from __future__ import annotations

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from core.crypto import configured_keys, derive_fernet_key
from core.mfa import user_must_have_totp

_PURPOSE = b"csp-portal mfa secrets"
# Every Fernet token starts with the version byte and a 64-bit timestamp whose top bytes are zero;
# neither a base32 TOTP secret nor a hex recovery seed can (no lowercase "g" in either alphabet).
_TOKEN_PREFIX = "gAAAAA"


def mfa_cipher() -> MultiFernet:
    """Return the cipher: the newest key encrypts, every configured key still decrypts."""
    material = configured_keys() or [settings.SECRET_KEY]
    return MultiFernet([Fernet(derive_fernet_key(m, purpose=_PURPOSE)) for m in material])


def mfa_secret_encrypt(text: str) -> str:
    return mfa_cipher().encrypt(text.encode()).decode()


def mfa_secret_decrypt(token: str) -> str:
    return mfa_cipher().decrypt(token.encode()).decode()


def mfa_secret_is_encrypted(value: str) -> bool:
    """Tell a token of the current keys from plain text; refuse one no configured key opens."""
    try:
        mfa_cipher().decrypt(value.encode())
    except InvalidToken:
        if value.startswith(_TOKEN_PREFIX):
            # Encrypting it again would bury the secret under two keys, one of them lost.
            raise ValueError(
                "An MFA secret is encrypted under a key ACTIVATION_KEY_ENCRYPTION_KEYS no longer "
                "lists; add the old key back (after the new one) and try again."
            ) from None
        return False
    return True


class PortalMfaAdapter(DefaultMFAAdapter):
    """allauth's MFA, with its secrets encrypted at rest and compulsory TOTP kept."""

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        return not (
            authenticator.type == Authenticator.Type.TOTP
            and user_must_have_totp(authenticator.user)
        )

    def encrypt(self, text: str) -> str:
        return mfa_secret_encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return mfa_secret_decrypt(encrypted_text)
