"""The chart's counts: past periods are counted once, the open one on every view."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from activity.models import Event, EventCount, OperationType, ResourceType
from activity.services import event_record
from activity.tests.factories import EventFactory
from activity_log.selectors import CustomerMatch, EventFilters, day_range, event_counts
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from demo.activity import events_seed

ROME = ZoneInfo("Europe/Rome")


@pytest.fixture
def now(time_machine):
    moment = datetime(2026, 3, 10, 15, 0, tzinfo=ROME)
    time_machine.move_to(moment, tick=False)
    return moment


def _counts(partner, **extra) -> list[int]:
    start, end = day_range(first_day=date(2026, 3, 8), last_day=date(2026, 3, 10), tz=ROME)
    with partner_scope(partner):
        _kind, periods = event_counts(filters=EventFilters(start=start, end=end, **extra), tz=ROME)
    return [period.events for period in periods]


def test_past_days_are_counted_once_and_today_on_every_view(owner_partner, now):
    EventFactory(partner=owner_partner, occurred_at=datetime(2026, 3, 8, 12, tzinfo=ROME))
    EventFactory(partner=owner_partner, occurred_at=datetime(2026, 3, 10, 9, tzinfo=ROME))
    assert _counts(owner_partner) == [1, 0, 1]

    EventFactory(partner=owner_partner, occurred_at=datetime(2026, 3, 10, 14, tzinfo=ROME))
    # Only a back-dated insert, which the log never makes, could change a closed day.
    EventFactory(partner=owner_partner, occurred_at=datetime(2026, 3, 8, 13, tzinfo=ROME))
    assert _counts(owner_partner) == [1, 0, 2]


def test_a_day_that_ended_less_than_an_hour_ago_is_still_counted_live(
    owner_partner, time_machine
):
    time_machine.move_to(datetime(2026, 3, 10, 0, 30, tzinfo=ROME), tick=False)
    EventFactory(partner=owner_partner, occurred_at=datetime(2026, 3, 9, 23, 59, tzinfo=ROME))
    assert _counts(owner_partner) == [0, 1, 0]
    EventFactory(partner=owner_partner, occurred_at=datetime(2026, 3, 9, 23, 59, 59, tzinfo=ROME))
    assert _counts(owner_partner) == [0, 2, 0]


def test_counts_filtered_by_a_customer_search_are_never_reused(owner_partner, now):
    contoso = CustomerFactory(partner=owner_partner, company_name="Contoso")
    EventFactory(partner=owner_partner, customer=contoso,
                 occurred_at=datetime(2026, 3, 8, 12, tzinfo=ROME))
    search = {"customer": CustomerMatch(how="search", value="Contoso")}
    assert _counts(owner_partner, **search) == [1, 0, 0]
    renamed = CustomerFactory(partner=owner_partner, company_name="Contoso Renamed")
    EventFactory(partner=owner_partner, customer=renamed,
                 occurred_at=datetime(2026, 3, 8, 13, tzinfo=ROME))
    assert _counts(owner_partner, **search) == [2, 0, 0]


def test_cached_counts_belong_to_one_partner_and_one_filter(owner_partner, outsider_partner, now):
    EventFactory(partner=owner_partner, occurred_at=datetime(2026, 3, 8, 12, tzinfo=UTC))
    EventFactory(partner=owner_partner, occurred_at=datetime(2026, 3, 8, 12, tzinfo=UTC),
                 operation_type="create_order")
    assert _counts(owner_partner) == [2, 0, 0]
    assert _counts(outsider_partner) == [0, 0, 0]
    assert _counts(owner_partner, operation_types=("create_order",)) == [1, 0, 0]


@pytest.mark.parametrize("zone", ["Asia/Kolkata", "Australia/Eucla", "America/St_Johns", "UTC"])
def test_quarter_hour_counts_give_exact_days_in_every_time_zone(owner_partner, zone):
    tz = ZoneInfo(zone)
    events_seed(partner=owner_partner, events=3000, days=6, customers=3, seed=5)
    start, end = day_range(first_day=date.today() - timedelta(days=4),
                           last_day=date.today() - timedelta(days=1), tz=tz)
    filters = EventFilters(start=start, end=end, operation_types=("sign_in", "create_order"))
    with partner_scope(owner_partner):
        _kind, periods = event_counts(filters=filters, tz=tz)
        events = list(Event.objects.filter(
            occurred_at__gte=start, occurred_at__lt=end, operation_type__in=filters.operation_types
        ).values_list("occurred_at", flat=True))
    expected = Counter(moment.astimezone(tz).date() for moment in events)
    assert {period.starts_on: period.events for period in periods} == {
        period.starts_on: expected.get(period.starts_on, 0) for period in periods
    }
    assert sum(period.events for period in periods) == len(events) > 0


def test_every_insert_is_counted_in_its_transaction(owner_partner, global_admin):
    with partner_scope(owner_partner):
        event_record(partner=owner_partner, actor=global_admin,
                     operation=OperationType.CREATE_ORDER, resource_type=ResourceType.ORDER)
        event_record(partner=owner_partner, actor=global_admin,
                     operation=OperationType.CREATE_ORDER, resource_type=ResourceType.ORDER)
        counted = list(EventCount.objects.filter(operation_type="create_order"))
    assert [count.events for count in counted] == [2]
    assert counted[0].bucket.minute % 15 == 0 and counted[0].bucket.second == 0


def test_user_and_customer_filters_count_the_events_themselves(owner_partner, now):
    EventFactory(partner=owner_partner, actor_email="a@owner.example",
                 occurred_at=datetime(2026, 3, 9, 12, tzinfo=ROME))
    EventFactory(partner=owner_partner, actor_email="b@owner.example",
                 occurred_at=datetime(2026, 3, 9, 12, tzinfo=ROME))
    assert _counts(owner_partner, user_email="a@owner.example") == [0, 1, 0]
    assert _counts(owner_partner) == [0, 2, 0]
