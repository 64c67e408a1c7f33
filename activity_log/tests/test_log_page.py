"""The Activity log page: who may see it, exact day boundaries, filters, keyset paging, chart."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activity.models import KEY_ACCESS_AND_DOWNLOADS, OperationType, ResourceType
from activity.tests.factories import EventFactory
from core.roles import PARTNER_ROLE_PERMISSIONS, Action, Role
from customers.tests.factories import CustomerFactory

URL = "/settings/activity-log/"
ROME = ZoneInfo("Europe/Rome")
ALLOWED = PARTNER_ROLE_PERMISSIONS[Action.VIEW_ACTIVITY_LOG]


def _ids(response) -> list:
    return [event.id for event in response.context["page"].events]


@pytest.fixture
def viewer(global_admin):
    global_admin.time_zone = "Europe/Rome"
    global_admin.save(update_fields=["time_zone"])
    return global_admin


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_only_the_four_roles_of_spec_section_1_see_the_log(role, role_users, client_for):
    response = client_for(role_users[role]).get(URL)
    export = client_for(role_users[role]).get(f"{URL}export.csv")
    if role in ALLOWED:
        assert response.status_code == 200
        assert export.status_code == 200
        assert b'data-nav="activity:log"' in response.content
    else:
        assert response.status_code == 403
        assert export.status_code == 403
        home = client_for(role_users[role]).get("/settings/preferences/")
        assert b'data-nav="activity:log"' not in home.content


def test_the_four_roles_are_global_account_referral_and_marketing_content_admin():
    assert {
        Role.GLOBAL_ADMIN, Role.ACCOUNT_ADMIN, Role.REFERRAL_ADMIN, Role.MARKETING_CONTENT_ADMIN
    } == ALLOWED


def test_support_staff_are_refused(support_user, client_for):
    assert client_for(support_user).get(URL).status_code == 403


def test_another_partners_events_never_appear(viewer, outsider, client_for):
    at = datetime(2026, 3, 5, 12, tzinfo=UTC)
    mine = EventFactory(partner=viewer.partner, actor_email="mine@owner.example", occurred_at=at)
    EventFactory(partner=outsider.partner, actor_email="theirs@outsider.example", occurred_at=at)
    response = client_for(viewer).get(URL, {"start": "2026-03-01", "end": "2026-03-10"})
    assert _ids(response) == [mine.id]
    assert b"theirs@outsider.example" not in response.content
    assert response.context["chart"].total == 1
    assert response.content.count(b"<rect ") == len(response.context["chart"].bars)


def test_the_default_range_is_the_last_30_days_in_the_viewers_time_zone(
    viewer, client_for, time_machine
):
    # 00:30 on 1 March in Rome is still 28 February in UTC.
    time_machine.move_to(datetime(2026, 3, 1, 0, 30, tzinfo=ROME), tick=False)
    order = {"partner": viewer.partner, "operation_type": OperationType.CREATE_ORDER}
    today = EventFactory(**order, occurred_at=datetime(2026, 3, 1, 0, 10, tzinfo=ROME))
    first_day = EventFactory(**order, occurred_at=datetime(2026, 1, 31, 0, 0, tzinfo=ROME))
    EventFactory(**order, occurred_at=datetime(2026, 1, 30, 23, 59, 59, tzinfo=ROME))
    response = client_for(viewer).get(URL, {"operation": "create_order"})
    form = response.context["form"]
    assert (form.cleaned_data["start"].isoformat(), form.cleaned_data["end"].isoformat()) == (
        "2026-01-31", "2026-03-01"
    )
    assert _ids(response) == [today.id, first_day.id]


def test_the_range_is_exact_to_the_second_at_both_ends_across_a_dst_change(viewer, client_for):
    # Italy moves to summer time on 29 March 2026: the last day ends at 21:59:59 UTC.
    at = lambda *parts: datetime(*parts, tzinfo=ROME)  # noqa: E731
    first = EventFactory(partner=viewer.partner, occurred_at=at(2026, 3, 1, 0, 0, 0))
    last = EventFactory(partner=viewer.partner, occurred_at=at(2026, 3, 29, 23, 59, 59))
    EventFactory(partner=viewer.partner, occurred_at=at(2026, 2, 28, 23, 59, 59))
    EventFactory(partner=viewer.partner, occurred_at=at(2026, 3, 30, 0, 0, 0))
    assert last.occurred_at.astimezone(UTC) == datetime(2026, 3, 29, 21, 59, 59, tzinfo=UTC)

    response = client_for(viewer).get(URL, {"start": "2026-03-01", "end": "2026-03-29"})

    assert _ids(response) == [last.id, first.id]
    assert response.context["chart"].total == 2


def test_the_same_dates_mean_other_instants_for_a_viewer_elsewhere(viewer, client_for):
    event = EventFactory(partner=viewer.partner, occurred_at=datetime(2026, 3, 2, 3, 0, tzinfo=UTC))
    viewer.time_zone = "America/New_York"
    viewer.save(update_fields=["time_zone"])
    response = client_for(viewer).get(URL, {"start": "2026-03-01", "end": "2026-03-01"})
    assert _ids(response) == [event.id]  # 22:00 on 1 March in New York


def test_a_range_of_a_whole_leap_year_is_allowed_and_counted_per_month(viewer, client_for):
    old = EventFactory(partner=viewer.partner, occurred_at=datetime(2024, 1, 15, tzinfo=UTC))
    response = client_for(viewer).get(URL, {"start": "2024-01-01", "end": "2024-12-31"})
    assert response.status_code == 200
    assert _ids(response) == [old.id]
    assert response.context["chart"].kind == "month"


def test_the_preset_shows_exactly_key_access_and_downloads(viewer, client_for):
    for operation in OperationType:
        EventFactory(partner=viewer.partner, operation_type=operation)
    response = client_for(viewer).get(URL, {"operation": "key_access_and_downloads"})
    shown = {event.operation_type for event in response.context["page"].events}
    assert shown == set(KEY_ACCESS_AND_DOWNLOADS) == {
        "get_software_key", "get_software_download_link", "software_download"
    }
    assert response.context["chart"].total == 3


def test_one_operation_type_can_be_chosen(viewer, client_for):
    EventFactory(partner=viewer.partner, operation_type=OperationType.SIGN_IN)
    order = EventFactory(partner=viewer.partner, operation_type=OperationType.CREATE_ORDER)
    response = client_for(viewer).get(URL, {"operation": "create_order"})
    assert _ids(response) == [order.id]


def test_events_are_filtered_by_user_email_whatever_its_case(viewer, client_for):
    wanted = EventFactory(partner=viewer.partner, actor_email="agent@owner.example")
    EventFactory(partner=viewer.partner, actor_email="sales@owner.example")
    response = client_for(viewer).get(URL, {"user": " Agent@Owner.example "})
    assert _ids(response) == [wanted.id]


@pytest.mark.parametrize("search", ["contoso", "CONTOSO.onmicrosoft", "guid"])
def test_events_are_filtered_by_customer_name_domain_or_guid(viewer, client_for, search):
    contoso = CustomerFactory(partner=viewer.partner, company_name="Contoso Italia",
                              primary_domain="contoso.onmicrosoft.com")
    fabrikam = CustomerFactory(partner=viewer.partner, company_name="Fabrikam",
                               primary_domain="fabrikam.onmicrosoft.com")
    wanted = EventFactory(partner=viewer.partner, customer=contoso,
                          operation_type=OperationType.CREATE_ORDER,
                          resource_type=ResourceType.ORDER)
    EventFactory(partner=viewer.partner, customer=fabrikam)
    EventFactory(partner=viewer.partner)
    text = str(contoso.entra_tenant_id) if search == "guid" else search
    response = client_for(viewer).get(URL, {"customer": text})
    assert _ids(response) == [wanted.id]


def test_another_partners_customer_of_the_same_name_does_not_match(viewer, outsider, client_for):
    theirs = CustomerFactory(partner=outsider.partner, company_name="Contoso Italia")
    EventFactory(partner=outsider.partner, customer=theirs)
    response = client_for(viewer).get(URL, {"customer": "Contoso"})
    assert _ids(response) == []


def test_each_row_shows_time_user_ip_operation_customer_product_and_details(viewer, client_for):
    customer = CustomerFactory(partner=viewer.partner, company_name="Contoso Italia")
    EventFactory(
        partner=viewer.partner, occurred_at=datetime(2026, 3, 10, 8, 15, 30, tzinfo=UTC),
        actor_email="", ip_address="203.0.113.50", operation_type=OperationType.SOFTWARE_DOWNLOAD,
        resource_type=ResourceType.SOFTWARE, customer=customer,
        details={"productTitle": "Windows Server 2022 Standard", "variant": "it-IT ISO"},
    )
    response = client_for(viewer).get(URL, {"start": "2026-03-10", "end": "2026-03-10"})
    row = response.content.decode().split('data-operation="software_download"')[1].split("</tr>")[0]
    for shown in ("09:15:30", "link holder", "203.0.113.50", "Software downloaded",
                  "Contoso Italia", "Windows Server 2022 Standard", "variant: it-IT ISO"):
        assert shown in row
    assert 'datetime="2026-03-10T09:15:30+01:00"' in row


def test_work_the_portal_did_on_its_own_is_not_credited_to_a_link_holder(viewer, client_for):
    EventFactory(
        partner=viewer.partner, occurred_at=datetime(2026, 3, 10, 8, tzinfo=UTC), actor_email="",
        operation_type=OperationType.COMPLETE_CANCELLATION, resource_type=ResourceType.ORDER,
    )
    response = client_for(viewer).get(URL, {"start": "2026-03-10", "end": "2026-03-10"})
    row = response.content.decode().split('data-operation="complete_cancellation"')[1]
    row = row.split("</tr>")[0]
    assert "the portal (automatic)" in row
    assert "link holder" not in row


def test_keyset_paging_walks_every_event_once_newest_first(viewer, client_for):
    start = datetime(2026, 3, 1, tzinfo=UTC)
    # Twenty share one instant, so the id must break the tie.
    moments = [start + timedelta(minutes=n) for n in range(100)] + [start + timedelta(hours=3)] * 20
    for moment in moments:
        EventFactory(partner=viewer.partner, occurred_at=moment)
    client = client_for(viewer)
    seen, params = [], {"start": "2026-03-01", "end": "2026-03-02"}
    while True:
        response = client.get(URL, params)
        seen.extend((e.occurred_at, e.id) for e in response.context["page"].events)
        cursor = response.context["page"].next_cursor
        if cursor is None:
            break
        next_link = response.content.decode().split('id="next-page" href="')[1].split('"')[0]
        query = urlsplit(next_link.replace("&amp;", "&")).query
        params = {name: values[0] for name, values in parse_qs(query).items()}
        assert "after" in params and params["start"] == "2026-03-01"
    assert len(seen) == 120 == len({event_id for _at, event_id in seen})
    assert seen == sorted(seen, reverse=True)


def test_a_tampered_page_link_gets_a_message_not_an_error(viewer, client_for):
    response = client_for(viewer).get(URL, {"after": "not-a-cursor"})
    assert response.status_code == 400
    assert "first page" in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [{"start": "2026-03-10", "end": "2026-03-01"}, {"start": "yesterday"},
     {"start": "0001-01-01"}, {"operation": "drop_tables"}, {"user": "x" * 300}],
)
def test_bad_filters_get_a_clear_message_and_no_results(viewer, client_for, params):
    response = client_for(viewer).get(URL, params)
    assert response.status_code == 400
    assert "page" not in response.context
    assert 'class="errorlist"' in response.content.decode()


def _first_page_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return len(captured)


def test_the_first_pages_query_count_does_not_grow_with_the_data(
    viewer, client_for, django_assert_max_num_queries
):
    customer = CustomerFactory(partner=viewer.partner)
    EventFactory(partner=viewer.partner, customer=customer)
    client = client_for(viewer)
    client.get(URL)  # the session's first request does its own bookkeeping
    with_one = _first_page_queries(client)
    for n in range(199):
        EventFactory(partner=viewer.partner, customer=CustomerFactory(partner=viewer.partner)
                     if n % 2 else customer, occurred_at=datetime.now(UTC) - timedelta(hours=n))
    with_two_hundred = _first_page_queries(client)
    assert with_two_hundred == with_one
    with django_assert_max_num_queries(with_one):
        client.get(URL)


def test_the_chart_counts_events_per_day_and_is_readable_without_sight(viewer, client_for):
    for day, count in ((1, 2), (3, 5)):
        for _ in range(count):
            EventFactory(partner=viewer.partner,
                         occurred_at=datetime(2026, 3, day, 12, tzinfo=ROME))
    response = client_for(viewer).get(URL, {"start": "2026-03-01", "end": "2026-03-04"})
    chart = response.context["chart"]
    assert [bar.events for bar in chart.bars] == [2, 0, 5, 0]
    assert chart.peak.events == 5
    html = response.content.decode()
    assert '<svg role="img" aria-labelledby="activity-chart-title activity-chart-desc"' in html
    assert "7 events in all." in html
    table = html.split('id="activity-chart-data"')[1].split("</table>")[0]
    assert table.count("<tr>") == 5  # the heading row and one per day
    assert "<td>5</td>" in table
