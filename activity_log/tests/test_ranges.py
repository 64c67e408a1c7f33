"""The range is bounded (366 days, years 2000 to 2099) on the page, its CSV export and the API,
and the chart groups by day, week or month as the range grows."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from activity.models import Event, OperationType
from activity.tests.factories import EventFactory
from core.tenancy import partner_scope

PAGE = "/settings/activity-log/"
EXPORT = "/settings/activity-log/export.csv"
API = "/v1/auditrecords"
ROME = ZoneInfo("Europe/Rome")
TOO_LONG = "A range covers at most 366 days"


@pytest.fixture
def viewer(global_admin):
    global_admin.time_zone = "Europe/Rome"
    global_admin.save(update_fields=["time_zone"])
    return global_admin


def _exports(partner) -> int:
    with partner_scope(partner):
        return Event.objects.filter(operation_type=OperationType.EXPORT_ACTIVITY_LOG).count()


def _problem(response, code: str, field: str) -> dict:
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["code"], [error["field"] for error in body["errors"]]) == (code, [field])
    return body


def test_the_page_states_the_bound_and_the_date_pickers_keep_to_the_years(viewer, client_for):
    html = client_for(viewer).get(PAGE).content.decode()
    assert "A range covers at most 366 days, between 2000 and 2099" in html
    assert 'min="2000-01-01"' in html and 'max="2099-12-31"' in html


def test_a_whole_leap_year_is_allowed_and_one_day_more_is_refused_on_the_page(
    viewer, client_for
):
    client = client_for(viewer)
    assert client.get(PAGE, {"start": "2024-01-01", "end": "2024-12-31"}).status_code == 200
    response = client.get(PAGE, {"start": "2024-01-01", "end": "2025-01-01"})
    assert response.status_code == 400
    assert "page" not in response.context and "chart" not in response.context
    start_errors = response.content.decode().split('id="id_start-errors"')[1].split("</ul>")[0]
    assert TOO_LONG in start_errors


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "1900-01-01", "end": "9998-12-31"}, "start"),  # the review's ~97,000 bars
        ({"start": "1999-12-31", "end": "2000-01-30"}, "start"),
        ({"start": "2099-12-01", "end": "2100-01-01"}, "end"),
    ],
)
def test_years_outside_2000_to_2099_are_refused_with_a_message(viewer, client_for, params, field):
    response = client_for(viewer).get(PAGE, params)
    assert response.status_code == 400
    assert "chart" not in response.context
    assert response.context["form"].errors[field] == ["Choose dates between 2000 and 2099."]


def test_the_csv_export_refuses_a_range_that_is_too_long_and_records_nothing(
    viewer, client_for
):
    EventFactory(partner=viewer.partner, occurred_at=datetime(2025, 6, 1, tzinfo=UTC))
    response = client_for(viewer).get(EXPORT, {"start": "2024-06-01", "end": "2025-06-02"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert TOO_LONG in response.content.decode()
    assert _exports(viewer.partner) == 0


def test_the_csv_export_of_the_longest_range_works(viewer, client_for):
    EventFactory(partner=viewer.partner, occurred_at=datetime(2025, 6, 1, tzinfo=UTC))
    response = client_for(viewer).get(EXPORT, {"start": "2024-06-02", "end": "2025-06-02"})
    assert response.status_code == 200
    assert len(b"".join(response.streaming_content).decode().splitlines()) == 2
    assert _exports(viewer.partner) == 1


@pytest.mark.parametrize("accept", ["application/json", "text/csv"])
@pytest.mark.parametrize(
    "params",
    [
        {"startDate": "2024-01-01", "endDate": "2025-01-01"},
        {"startDate": "2025-01-01T00:00:00Z", "endDate": "2026-01-02T00:00:01Z"},
    ],
)
def test_the_api_refuses_a_range_over_366_days_with_its_code(
    global_admin, api_client_for, params, accept
):
    response = api_client_for(global_admin).get(API, params, HTTP_ACCEPT=accept)
    body = _problem(response, "date_range_too_long", "startDate")
    assert "at most 366 days" in body["detail"]
    assert _exports(global_admin.partner) == 0


def test_a_start_date_alone_years_ago_is_too_long_until_now(global_admin, api_client_for):
    start = (datetime.now(UTC) - timedelta(days=400)).date().isoformat()
    _problem(api_client_for(global_admin).get(API, {"startDate": start}),
             "date_range_too_long", "startDate")


def test_the_api_accepts_exactly_366_days(global_admin, api_client_for):
    event = EventFactory(partner=global_admin.partner,
                         occurred_at=datetime(2024, 12, 31, tzinfo=UTC))
    client = api_client_for(global_admin)
    for params in ({"startDate": "2024-01-01", "endDate": "2024-12-31"},
                   {"startDate": "2024-01-01T00:00:00Z", "endDate": "2025-01-01T00:00:00Z"}):
        response = client.get(API, params)
        assert response.status_code == 200, response.content
        assert [item["id"] for item in response.json()["items"]] == [str(event.id)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"startDate": "1900-01-01", "endDate": "1900-01-31"}, "startDate"),
        ({"startDate": "9998-01-01"}, "startDate"),
        ({"endDate": "0001-01-05T00:00:00Z"}, "endDate"),
        ({"startDate": "2099-12-31", "endDate": "2100-01-01T00:00:01Z"}, "endDate"),
        ({"endDate": "9999-12-31T23:59:59-12:00"}, "endDate"),
        ({"startDate": "0001-01-01T00:00:00+14:00", "endDate": "2026-01-01"}, "startDate"),
    ],
)
def test_the_api_refuses_years_outside_the_window_with_its_code(
    global_admin, api_client_for, params, field
):
    body = _problem(api_client_for(global_admin).get(API, params), "date_out_of_range", field)
    assert body["detail"] == "Choose dates between 2000 and 2099."


@pytest.mark.parametrize(
    ("start", "end", "kind", "bars"),
    [
        ("2026-01-01", "2026-01-01", "day", 1),
        ("2026-01-01", "2026-04-02", "day", 92),
        ("2026-01-01", "2026-04-03", "week", 14),  # 29 Dec 2025 to 30 Mar 2026
        ("2026-01-01", "2026-07-02", "week", 27),
        ("2026-01-01", "2026-07-03", "month", 7),
        ("2025-01-15", "2026-01-15", "month", 13),
    ],
)
def test_the_chart_groups_by_day_then_week_then_month(viewer, client_for, start, end, kind, bars):
    response = client_for(viewer).get(PAGE, {"start": start, "end": end})
    chart = response.context["chart"]
    assert (chart.kind, len(chart.bars)) == (kind, bars)
    html = response.content.decode()
    assert f'data-period="{kind}"' in html
    table = html.split('id="activity-chart-data"')[1].split("</table>")[0]
    assert table.count("<tr>") == bars + 1


@pytest.mark.parametrize("by_user", [False, True], ids=["from counts", "from events"])
def test_weekly_bars_start_on_monday_and_count_only_days_inside_the_range(
    viewer, client_for, by_user
):
    # 4 March 2026 is a Wednesday: the first bar is the week of Monday 2 March, counted from
    # the 4th; the last is the week of Monday 29 June, counted to the 30th.
    email = "agent@owner.example"
    for day, count in ((date(2026, 3, 3), 4), (date(2026, 3, 4), 2), (date(2026, 3, 9), 1),
                       (date(2026, 3, 15), 3), (date(2026, 6, 30), 1), (date(2026, 7, 1), 5)):
        for _ in range(count):
            EventFactory(partner=viewer.partner, actor_email=email,
                         occurred_at=datetime.combine(day, datetime.min.time(), tzinfo=ROME)
                         + timedelta(hours=23, minutes=30))
    params = {"start": "2026-03-04", "end": "2026-06-30", **({"user": email} if by_user else {})}
    client = client_for(viewer)
    for _view in range(2):  # the second view reads the closed weeks from the cache
        response = client.get(PAGE, params)
        chart = response.context["chart"]
        assert chart.kind == "week"
        counts = {bar.label: bar.events for bar in chart.bars}
        assert list(counts)[:2] == ["Week of 03/02/2026", "Week of 03/09/2026"]
        assert counts["Week of 03/02/2026"] == 2
        assert counts["Week of 03/09/2026"] == 4
        assert counts["Week of 06/29/2026"] == 1
        assert chart.total == sum(counts.values()) == 7
    html = response.content.decode()
    assert "Events per week (from Monday) for this range and these filters." in html
    assert '<th scope="col">Week</th>' in html
    assert "The busiest was Week of 03/09/2026, with 4." in html


def test_the_chart_speaks_italian_for_an_italian_viewer(viewer, client_for):
    viewer.language = "it"
    viewer.save(update_fields=["language"])
    EventFactory(partner=viewer.partner, occurred_at=datetime(2026, 3, 10, 12, tzinfo=ROME))
    response = client_for(viewer).get(PAGE, {"start": "2026-03-04", "end": "2026-06-30"})
    html = response.content.decode()
    assert "Settimana del 09/03/2026" in html
    assert "Un intervallo copre al massimo 366 giorni" in html
