"""CSV export from the page: the whole filtered range, streamed, UTC times, and itself recorded."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.http import StreamingHttpResponse

from activity.models import Event, OperationType, ResourceType
from activity.tests.factories import EventFactory
from activity_log.export import EXPORT_BATCH_ROWS
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory

URL = "/settings/activity-log/export.csv"
ROME = ZoneInfo("Europe/Rome")


def _rows(response) -> list[dict]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_the_export_streams_a_header_and_every_row_with_utc_times(global_admin, client_for):
    customer = CustomerFactory(partner=global_admin.partner, company_name="Contoso Italia")
    download = EventFactory(
        partner=global_admin.partner, occurred_at=datetime(2026, 3, 10, 23, 30, tzinfo=ROME),
        actor_email="", ip_address="203.0.113.50", operation_type=OperationType.SOFTWARE_DOWNLOAD,
        resource_type=ResourceType.SOFTWARE, customer=customer, object_id="link-7",
        details={"productTitle": "SQL Server 2022 Standard", "downloadsRemaining": 49},
    )
    response = client_for(global_admin).get(URL, {"start": "2026-03-10", "end": "2026-03-10"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="activity-log-20260310-20260310.csv"'
    )
    text = b"".join(response.streaming_content).decode()
    assert text.splitlines()[0] == (
        "id,operationDate,partnerId,customerId,customerName,userPrincipalName,resourceType,"
        "operationType,operationStatus,ipAddress,userAgent,originalCorrelationId,objectId,"
        "productTitle,customizedData"
    )
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row == {
        "id": str(download.id), "operationDate": "2026-03-10T22:30:00.000000Z",
        "partnerId": str(global_admin.partner.partner_number),
        "customerId": str(customer.entra_tenant_id), "customerName": "Contoso Italia",
        "userPrincipalName": "", "resourceType": "software", "operationType": "software_download",
        "operationStatus": "succeeded", "ipAddress": "203.0.113.50", "userAgent": "pytest/1",
        "originalCorrelationId": download.correlation_id, "objectId": "link-7",
        "productTitle": "SQL Server 2022 Standard",
        "customizedData": row["customizedData"],
    }
    assert json.loads(row["customizedData"]) == download.details


def test_the_export_covers_the_whole_range_beyond_one_batch_newest_first(global_admin, client_for):
    start = datetime(2026, 3, 1, tzinfo=UTC)
    # Pairs share an instant, so a batch boundary can fall inside a tie that the id settles.
    with partner_scope(global_admin.partner):
        Event.objects.bulk_create(
            Event(partner=global_admin.partner, occurred_at=start + timedelta(seconds=n // 2),
                  operation_type=OperationType.SIGN_IN, resource_type=ResourceType.USER,
                  actor_email=f"u{n}@owner.example")
            for n in range(EXPORT_BATCH_ROWS + 7)
        )
    rows = _rows(client_for(global_admin).get(URL, {"start": "2026-03-01", "end": "2026-03-02"}))
    assert len(rows) == EXPORT_BATCH_ROWS + 7 == len({row["id"] for row in rows})
    keys = [(row["operationDate"], row["id"]) for row in rows]
    assert keys == sorted(keys, reverse=True)


def test_the_export_keeps_the_filters(global_admin, client_for):
    at = datetime(2026, 3, 5, tzinfo=UTC)
    key = EventFactory(partner=global_admin.partner, occurred_at=at,
                       operation_type=OperationType.GET_SOFTWARE_KEY)
    EventFactory(partner=global_admin.partner, occurred_at=at, operation_type=OperationType.SIGN_IN)
    rows = _rows(client_for(global_admin).get(
        URL, {"start": "2026-03-01", "end": "2026-03-10", "operation": "key_access_and_downloads"}
    ))
    assert [row["id"] for row in rows] == [str(key.id)]


def test_the_export_is_recorded_with_its_filters(global_admin, client_for):
    response = client_for(global_admin).get(
        URL, {"start": "2026-03-01", "end": "2026-03-10", "operation": "software_download",
              "user": "agent@owner.example", "customer": "Contoso"},
    )
    _rows(response)
    with partner_scope(global_admin.partner):
        export = Event.objects.get(operation_type=OperationType.EXPORT_ACTIVITY_LOG)
    assert (export.actor, export.resource_type) == (global_admin, ResourceType.ACTIVITY_LOG)
    assert export.details == {"filters": {
        "startDate": "2026-03-01", "endDate": "2026-03-10", "timeZone": "Europe/Rome",
        "operation": "software_download", "user": "agent@owner.example", "customer": "Contoso",
    }}


def test_another_partners_events_never_reach_the_csv(global_admin, outsider, client_for):
    at = datetime(2026, 3, 5, tzinfo=UTC)
    EventFactory(partner=outsider.partner, occurred_at=at, actor_email="theirs@outsider.example")
    mine = EventFactory(partner=global_admin.partner, occurred_at=at)
    rows = _rows(client_for(global_admin).get(URL, {"start": "2026-03-01", "end": "2026-03-10"}))
    assert [row["id"] for row in rows] == [str(mine.id)]


def test_a_cell_that_a_spreadsheet_would_run_as_a_formula_is_defused(global_admin, client_for):
    EventFactory(partner=global_admin.partner, occurred_at=datetime(2026, 3, 5, tzinfo=UTC),
                 user_agent='=HYPERLINK("http://evil.example","click")')
    [row] = _rows(client_for(global_admin).get(URL, {"start": "2026-03-05", "end": "2026-03-05"}))
    assert row["userAgent"] == "'=HYPERLINK(\"http://evil.example\",\"click\")"


def test_bad_filters_export_nothing_and_record_nothing(global_admin, client_for):
    response = client_for(global_admin).get(URL, {"start": "2026-03-10", "end": "2026-03-01"})
    assert response.status_code == 400
    with partner_scope(global_admin.partner):
        assert not Event.objects.filter(operation_type=OperationType.EXPORT_ACTIVITY_LOG).exists()


def test_commas_quotes_and_line_breaks_survive_the_round_trip(global_admin, client_for):
    customer = CustomerFactory(partner=global_admin.partner, company_name='Contoso, "Italia"')
    EventFactory(partner=global_admin.partner, occurred_at=datetime(2026, 3, 5, tzinfo=UTC),
                 customer=customer, user_agent="agent\r\nsecond line, with comma",
                 details={"productTitle": 'Office "LTSC", 2021', "note": "a\nb"})
    [row] = _rows(client_for(global_admin).get(URL, {"start": "2026-03-05", "end": "2026-03-05"}))
    assert row["customerName"] == 'Contoso, "Italia"'
    assert row["userAgent"] == "agent\r\nsecond line, with comma"
    assert row["productTitle"] == 'Office "LTSC", 2021'
    assert json.loads(row["customizedData"])["note"] == "a\nb"
