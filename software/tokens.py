"""Download link tokens: made from 256 random bits, kept only as their SHA-256."""

from __future__ import annotations

import hashlib
import re
import secrets

# 32 random bytes: 256 bits, twice the 128 the product asks for.
TOKEN_BYTES = 32
# secrets.token_urlsafe(32) gives 43 characters of the URL-safe alphabet.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


def token_new() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_is_well_formed(token: str) -> bool:
    return TOKEN_PATTERN.fullmatch(token) is not None
