"""Which dates the activity log may be asked about, and how long one range may be.

The same rules hold for the page, its CSV export and /v1/auditrecords, with the same codes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.utils.translation import gettext as _

from core.errors import PortalError

# A whole leap year: a year of activity at a glance, exported in one file. A longer period is
# exported in parts; the chart and the per-period counts stay small whatever is asked.
MAX_RANGE_DAYS = 366
# No event is older than the portal, and none is years ahead; dates outside are typing slips.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)
EARLIEST_MOMENT = datetime.combine(EARLIEST_DAY, time.min, tzinfo=UTC)
LATEST_MOMENT = datetime.combine(LATEST_DAY + timedelta(days=1), time.min, tzinfo=UTC)


class RangeRefused(PortalError):
    """A date range the activity log does not serve; `code` says why."""


def _out_of_window(field: str) -> RangeRefused:
    return RangeRefused(
        _("Choose dates between %(first)s and %(last)s.")
        % {"first": EARLIEST_DAY.year, "last": LATEST_DAY.year},
        code="date_out_of_range",
        field=field,
    )


def _too_long(field: str) -> RangeRefused:
    return RangeRefused(
        _("A range covers at most %(days)d days: choose a shorter one, or export a longer period "
          "in parts.") % {"days": MAX_RANGE_DAYS},
        code="date_range_too_long",
        field=field,
    )


def day_in_window_check(*, day: date, field: str) -> None:
    """Refuse a day outside the log's dates."""
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise _out_of_window(field)


def day_range_check(*, first_day: date, last_day: date, field: str) -> None:
    """Refuse whole days (both included) that span more than MAX_RANGE_DAYS."""
    if (last_day - first_day).days + 1 > MAX_RANGE_DAYS:
        raise _too_long(field)


def moment_in_window_check(*, moment: datetime, field: str) -> None:
    """Refuse an instant outside the log's dates."""
    if not EARLIEST_MOMENT <= moment <= LATEST_MOMENT:
        raise _out_of_window(field)


def moment_range_check(*, start: datetime, end: datetime, field: str) -> None:
    """Refuse [start, end) longer than MAX_RANGE_DAYS."""
    if end - start > timedelta(days=MAX_RANGE_DAYS):
        raise _too_long(field)
