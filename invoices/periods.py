"""Billing periods: calendar months in UTC."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.utils.translation import gettext as _

from core.errors import PortalError

_MONTH_PATTERN = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def of(cls, moment: datetime | date) -> Month:
        if isinstance(moment, datetime):
            moment = moment.astimezone(UTC)
        return cls(moment.year, moment.month)

    @classmethod
    def parse(cls, text: str) -> Month:
        """Read "2026-10" (YYYY-MM) as October 2026."""
        match = _MONTH_PATTERN.fullmatch(text.strip())
        if match is None or not 1 <= int(match[2]) <= 12:
            raise PortalError(
                _("Give the month as YYYY-MM, for example 2026-10."),
                code="invalid_month",
                field="month",
            )
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def before(cls, moment: datetime) -> Month:
        """The month before the one `moment` falls in (UTC): the one a close on the 1st bills."""
        return cls.of(moment).previous()

    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    @property
    def start_at(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=UTC)

    @property
    def end_at(self) -> datetime:
        """Exclusive: the first moment of the next month."""
        return self.next().start_at

    def require_ended(self, *, at: datetime) -> None:
        """A month is invoiced only once it is over."""
        if self.end_at > at:
            raise PortalError(
                _("%(month)s has not ended yet; it is invoiced on the first of the next month.")
                % {"month": self},
                code="period_not_ended",
                field="month",
            )

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def months_between(first: Month, last: Month) -> list[Month]:
    """Every month from first to last, both included, oldest first."""
    months, month = [], first
    while month <= last:
        months.append(month)
        month = month.next()
    return months


def months_up_to(*, at: datetime, count: int) -> list[Month]:
    """The `count` months that end with the one `at` falls in (UTC), oldest first."""
    last = Month.of(at)
    months_back = count - 1
    first = Month(last.year + (last.month - 1 - months_back) // 12,
                  (last.month - 1 - months_back) % 12 + 1)
    return months_between(first, last)
