"""Whole numbers read from what clients send: path ids, query parameters, header fields."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from .errors import NotFound

# int() and str.isdigit() take any Unicode digit ("²" passes isdigit() and fails int(), "٣" and
# "１" pass both), signs, spaces and underscores ("1_0" is ten). Ids, sizes and byte positions
# are ASCII digits and nothing else.
_ASCII_DIGITS = re.compile(r"[0-9]+")


def ascii_int(text: object) -> int | None:
    """Read text made only of ASCII digits as a number; None for anything else."""
    if not isinstance(text, str) or _ASCII_DIGITS.fullmatch(text) is None:
        return None
    try:
        return int(text)
    except ValueError:  # over int()'s limit on decimal digits (4,300): no id or size is that long
        return None


def id_parse(text: object) -> int:
    """Return the id in a path as a number; anything but ASCII digits names nothing (NotFound)."""
    value = ascii_int(text)
    if value is None:
        raise NotFound(_("Not found."))
    return value
