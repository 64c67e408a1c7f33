"""Activation keys in the familiar form: five groups of five characters."""

import secrets

# Product keys avoid vowels and look-alike characters (0/O, 1/I, 5/S, A/4).
KEY_ALPHABET = "BCDFGHJKMPQRTVWXY2346789"
GROUPS, GROUP_LENGTH = 5, 5


def activation_key_generate() -> str:
    return "-".join(
        "".join(secrets.choice(KEY_ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS)
    )
