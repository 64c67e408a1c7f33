"""Activity events are append-only, down to the database; the admin shows them read-only."""

import pytest
from django.contrib.admin.sites import site
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from activity.models import AppendOnlyError, Event, OperationType, ResourceType
from activity.services import event_record
from core.request_context import RequestContext, request_context
from core.tenancy import partner_scope


@pytest.fixture
def event(global_admin):
    with request_context(RequestContext(ip_address="203.0.113.9", user_agent="ua/1",
                                        correlation_id="c-1", request_id="r-1")):
        return event_record(
            partner=global_admin.partner, actor=global_admin,
            operation=OperationType.UPDATE_PARTNER_USER, resource_type=ResourceType.USER,
            object_id="42", details={"rolesAfter": ["admin_agent"]},
        )


def test_an_event_keeps_who_what_when_and_where(event, global_admin):
    with partner_scope(global_admin.partner):
        stored = Event.objects.get(pk=event.pk)
    assert (stored.actor, stored.actor_email, stored.ip_address, stored.user_agent) == (
        global_admin, global_admin.email, "203.0.113.9", "ua/1"
    )
    assert (stored.correlation_id, stored.request_id, stored.object_id) == ("c-1", "r-1", "42")
    assert stored.occurred_at.tzinfo is not None


@pytest.mark.parametrize(
    "statement",
    ["UPDATE activity_event SET actor_email = 'forged@example.com'", "DELETE FROM activity_event"],
)
def test_the_database_refuses_update_and_delete(event, statement):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert Event.objects.all_partners().filter(actor_email=event.actor_email).count() == 1


def test_the_orm_refuses_update_and_delete(event, global_admin):
    with partner_scope(global_admin.partner):
        with pytest.raises(AppendOnlyError):
            Event.objects.filter(pk=event.pk).update(actor_email="x")
        with pytest.raises(AppendOnlyError):
            Event.objects.filter(pk=event.pk).delete()
        stored = Event.objects.get(pk=event.pk)
    stored.actor_email = "x"
    with pytest.raises(AppendOnlyError):
        stored.save()
    with pytest.raises(AppendOnlyError):
        stored.delete()


def test_the_admin_shows_events_read_only(event, support_user):
    request = RequestFactory().get("/admin/activity/event/")
    request.user = support_user
    model_admin = site._registry[Event]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
