"""Reads on the activity log: the current partner's events in a time range, filtered, newest first.

Every read pages by keyset on (occurred_at, id), the order of the `activity_partner_time` index,
so the first page costs the same at a hundred events or ten million.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo
from functools import partial
from typing import Literal

from django.core.cache import cache
from django.db.models import Count, DateField, Q, QuerySet, Sum
from django.db.models.functions import Trunc
from django.utils import timezone
from django.utils.translation import gettext as _

from activity.models import Event, EventCount
from core.errors import PortalError
from core.replica import read_alias
from core.tenancy import require_partner
from customers.models import Customer

# The chart keeps its bars countable and wide enough to point at: per day up to a quarter
# (at most 92 bars), per week up to half a year (27), per month beyond (13 at the longest range).
DAILY_CHART_MAX_DAYS = 92
WEEKLY_CHART_MAX_DAYS = 183
# A period's count is final this long after it ends: an event is stamped when recorded and its
# transaction commits within seconds, so an hour leaves a wide margin.
COUNT_SETTLED_AFTER = timedelta(hours=1)
COUNT_CACHE_SECONDS = 30 * 86_400
QUARTER_HOUR = 15 * 60  # seconds: the EventCount bucket
CUSTOMER_FIELDS_SHOWN = {"id", "partner", "entra_tenant_id", "company_name"}
CUSTOMER_FIELDS_UNUSED = tuple(
    field.name for field in Customer._meta.concrete_fields
    if field.name not in CUSTOMER_FIELDS_SHOWN
)


@dataclass(frozen=True)
class CustomerMatch:
    """Which customers' events to keep: the page's search box or one of the API's filters."""

    how: Literal["search", "name_contains", "tenant_id"]
    value: str

    def customers(self) -> QuerySet[Customer]:
        if self.how == "tenant_id":
            return Customer.objects.filter(entra_tenant_id=self.value)
        if self.how == "name_contains":
            return Customer.objects.filter(company_name__icontains=self.value)
        return Customer.objects.matching(self.value)


@dataclass(frozen=True)
class EventFilters:
    start: datetime
    end: datetime  # exclusive
    operation_types: tuple[str, ...] = ()
    resource_type: str = ""
    user_email: str = ""
    customer: CustomerMatch | None = None
    # What the user asked for, as they wrote it: recorded with an export.
    described: dict[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class EventCursor:
    """Where a page ends: the last event's (occurred_at, id), opaque to the client."""

    occurred_at: datetime
    event_id: uuid.UUID

    def encode(self) -> str:
        raw = f"{self.occurred_at.isoformat()}|{self.event_id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> EventCursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            moment, event_id = raw.split("|")
            occurred_at = datetime.fromisoformat(moment)
            if occurred_at.tzinfo is None:
                raise ValueError(moment)
            return cls(occurred_at=occurred_at, event_id=uuid.UUID(event_id))
        except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
            raise PortalError(
                _("This page link is not valid any more; start again from the first page."),
                code="invalid_cursor", field="after",
            ) from exc


@dataclass(frozen=True)
class EventPage:
    events: list[Event]
    next_cursor: EventCursor | None


@dataclass(frozen=True)
class PeriodCount:
    starts_on: date
    events: int


def day_range(*, first_day: date, last_day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """Return the [start, end) covering both days whole, as the viewer's wall clock reads them."""
    return _period_start(first_day, tz), _period_start(last_day + timedelta(days=1), tz)


def event_list(*, filters: EventFilters) -> QuerySet[Event]:
    """Return the current partner's events matching the filters, newest first.

    From the read replica while one is configured and well (core.replica), else the primary.
    """
    database = read_alias()
    queryset = Event.objects.using(database).filter(
        occurred_at__gte=filters.start, occurred_at__lt=filters.end
    )
    if filters.operation_types:
        queryset = queryset.filter(operation_type__in=filters.operation_types)
    if filters.resource_type:
        queryset = queryset.filter(resource_type=filters.resource_type)
    if filters.user_email:
        queryset = queryset.filter(actor_email=filters.user_email.strip().lower())
    if filters.customer is not None:
        queryset = queryset.filter(
            customer__in=filters.customer.customers().using(database).values("pk")
        )
    # Of the customer, the log shows only these: the rest would be read and parsed for nothing.
    return (
        queryset.select_related("customer")
        .defer(*(f"customer__{name}" for name in CUSTOMER_FIELDS_UNUSED))
        .order_by("-occurred_at", "-id")
    )


def after_cursor(queryset: QuerySet[Event], cursor: EventCursor | None) -> QuerySet[Event]:
    """Return the events that come after the cursor in the log's order (all without one)."""
    if cursor is None:
        return queryset
    # The `lte` bound is what the index range scan uses; the OR only settles ties on the time.
    return queryset.filter(
        Q(occurred_at__lt=cursor.occurred_at) | Q(occurred_at=cursor.occurred_at,
                                                  id__lt=cursor.event_id),
        occurred_at__lte=cursor.occurred_at,
    )


def event_page(*, filters: EventFilters, after: EventCursor | None, size: int) -> EventPage:
    """Return one page of events after the cursor (the first page without one): a single query."""
    events = list(after_cursor(event_list(filters=filters), after)[: size + 1])
    if len(events) <= size:
        return EventPage(events=events, next_cursor=None)
    last = events[size - 1]
    return EventPage(events=events[:size], next_cursor=EventCursor(last.occurred_at, last.id))


def event_counts(*, filters: EventFilters, tz: tzinfo) -> tuple[str, list[PeriodCount]]:
    """Return events per day, week or month (by the range's length) in the viewer's time zone, zeros
    included; weeks start on Monday, and a period the range cuts counts only its part inside.

    One GROUP BY, over the quarter-hour counts (EventCount) unless a user or customer filter
    needs the events themselves, and only over the periods not counted before: a period that
    ended a while ago never changes (the log is append-only and events carry the time they were
    recorded), so its count is cached and a repeated view counts only today.
    """
    first_day = filters.start.astimezone(tz).date()
    last_day = (filters.end.astimezone(tz) - timedelta(microseconds=1)).date()
    kind = chart_period_kind(days=(last_day - first_day).days + 1)
    starts = []
    day = _period_containing(first_day, kind)
    while day <= last_day:
        starts.append(day)
        day = _period_after(day, kind)

    keys = _count_keys(filters=filters, tz=tz, kind=kind, starts=starts)
    cached = cache.get_many(keys.values()) if keys else {}
    missing = [start for start in starts if keys.get(start) not in cached]
    counted = {}
    if missing:
        counted = dict(event_period_counts(
            filters=replace(
                filters, start=max(filters.start, _period_start(missing[0], tz)),
                end=min(filters.end, _period_start(_period_after(missing[-1], kind), tz)),
            ),
            tz=tz, kind=kind,
        ))
        cache.set_many(
            {keys[start]: counted.get(start, 0) for start in missing if start in keys},
            timeout=COUNT_CACHE_SECONDS,
        )
    return kind, [
        PeriodCount(starts_on=start, events=counted.get(start, cached.get(keys.get(start), 0)))
        for start in starts
    ]


def chart_period_kind(*, days: int) -> str:
    """Return how the chart groups a range of this many days: "day", "week" or "month"."""
    if days <= DAILY_CHART_MAX_DAYS:
        return "day"
    return "week" if days <= WEEKLY_CHART_MAX_DAYS else "month"


def event_period_counts(*, filters: EventFilters, tz: tzinfo, kind: str) -> QuerySet:
    """Return (period start, events) rows, from the quarter-hour counts when they answer exactly."""
    period = partial(Trunc, kind=kind, output_field=DateField(), tzinfo=tz)
    quarter_hours = all(moment.timestamp() % QUARTER_HOUR == 0
                        for moment in (filters.start, filters.end))
    if quarter_hours and not (filters.user_email or filters.customer or filters.resource_type):
        counts = EventCount.objects.using(read_alias()).filter(
            bucket__gte=filters.start, bucket__lt=filters.end
        )
        if filters.operation_types:
            counts = counts.filter(operation_type__in=filters.operation_types)
        return (counts.annotate(period=period("bucket")).order_by().values_list("period")
                .annotate(events=Sum("events")))
    return (event_list(filters=filters).select_related(None).annotate(period=period("occurred_at"))
            .order_by().values_list("period").annotate(events=Count("pk")))


def _count_keys(*, filters: EventFilters, tz: tzinfo, kind: str, starts: list[date]
                ) -> dict[date, str]:
    """Cache keys of the periods whose count can no longer change."""
    # The customers a search matches can change (a rename, a new customer); every other filter
    # keeps selecting the same events.
    if filters.customer is not None:
        return {}
    closed_before = timezone.now() - COUNT_SETTLED_AFTER
    signature = hashlib.sha256("|".join((
        str(require_partner().pk), str(tz), kind, ",".join(sorted(filters.operation_types)),
        filters.resource_type, filters.user_email.strip().lower(),
    )).encode()).hexdigest()[:32]
    return {
        start: f"activity-count:{signature}:{start.isoformat()}"
        for start in starts
        if _period_start(start, tz) >= filters.start
        and filters.end >= (end := _period_start(_period_after(start, kind), tz))
        and end <= closed_before
    }


def _period_start(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def _period_containing(day: date, kind: str) -> date:
    if kind == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1) if kind == "month" else day


def _period_after(start: date, kind: str) -> date:
    if kind == "day":
        return start + timedelta(days=1)
    if kind == "week":
        return start + timedelta(days=7)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)
