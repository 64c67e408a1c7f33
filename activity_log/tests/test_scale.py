"""The log at scale: the bulk loader, and query plans that use the indexes on PostgreSQL."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from activity.models import KEY_ACCESS_AND_DOWNLOADS, Event, OperationType
from activity_log.selectors import EventFilters, event_list
from core.tenancy import partner_scope
from customers.models import Customer
from demo.activity import events_seed

postgres_only = pytest.mark.postgres_only("the plans measured are PostgreSQL's")


def test_seed_activity_loads_realistic_events_for_one_partner(global_admin, outsider):
    call_command("seed_activity", events=3000, partner=global_admin.partner.partner_number,
                 days=20, customers=12, seed=7, stdout=io.StringIO())
    now = timezone.now()
    with partner_scope(global_admin.partner):
        events = list(Event.objects.order_by("occurred_at", "id"))
        assert Customer.objects.count() == 12
    with partner_scope(outsider.partner):
        assert not Event.objects.exists()
    assert len(events) == 3000
    assert all(now - timedelta(days=20) <= event.occurred_at <= now for event in events)
    # Ids are version-7 UUIDs that follow the time, as the live log writes them.
    assert [event.id.version for event in events[:5]] == [7] * 5
    assert events[0].id < events[-1].id
    operations = {event.operation_type for event in events}
    assert set(KEY_ACCESS_AND_DOWNLOADS) <= operations and OperationType.SIGN_IN in operations
    downloads = [e for e in events if e.operation_type == OperationType.SOFTWARE_DOWNLOAD]
    assert any(e.actor_email == "" for e in downloads), "link holders download too"
    assert all(e.customer_id and e.details["productTitle"] for e in downloads)


def test_seed_activity_refuses_an_unknown_partner(db):
    with pytest.raises(CommandError, match="No partner"):
        call_command("seed_activity", events=10, partner=123)


def _plan(partner, **filters) -> str:
    now = timezone.now()
    with partner_scope(partner):
        queryset = event_list(filters=EventFilters(start=now - timedelta(days=30), end=now,
                                                   **filters))
        return queryset[:51].explain()


@postgres_only
def test_the_30_day_first_page_reads_the_partner_time_index(global_admin, outsider):
    # Enough rows over 400 days, two partners and fresh statistics, so that the planner weighs
    # the index against a scan of the table the way it does in production.
    events_seed(partner=global_admin.partner, events=20_000, days=400, customers=20, seed=1)
    events_seed(partner=outsider.partner, events=20_000, days=400, customers=20, seed=2)

    plan = _plan(global_admin.partner)
    assert "Index Scan Backward using activity_partner_time" in plan, plan
    assert "Sort" not in plan, plan

    preset = _plan(global_admin.partner, operation_types=tuple(KEY_ACCESS_AND_DOWNLOADS))
    assert "Index Scan Backward using activity_key_access_time" in preset, preset
    assert "Sort" not in preset, preset

    one_type = _plan(global_admin.partner, operation_types=(OperationType.CREATE_ORDER,))
    assert "Index" in one_type and "Sort" not in one_type, one_type
