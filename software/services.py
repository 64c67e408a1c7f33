"""Writes on activation keys, download links and downloads."""

from __future__ import annotations

from .crypto import encrypt
from .keys import activation_key_generate
from .models import ActivationKey


def activation_keys_issue(*, purchase) -> list[ActivationKey]:
    """Generate the purchase's activation key, encrypted; runs inside the order's transaction."""
    key = ActivationKey(
        partner_id=purchase.partner_id,
        purchase=purchase,
        ciphertext=encrypt(activation_key_generate()),
    )
    key.save(force_insert=True)
    return [key]
