"""Path converters for the portal's URLs."""

from __future__ import annotations


class IdConverter:
    """A database id: ASCII digits that fit a signed 64-bit integer, else the URL matches nothing.

    Django's `int` converter takes any length of digits, and a number past 2**63 - 1 makes SQLite
    raise OverflowError (a 500) where PostgreSQL only finds no row.
    """

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


class CultureConverter:
    """A culture such as en-US (BCP 47: a language, then subtags), as Partner Center's paths use."""

    regex = "[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,3}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
