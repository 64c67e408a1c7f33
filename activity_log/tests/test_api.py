"""GET /v1/auditrecords: Partner Center's shape and filters, paging, CSV, errors, isolation."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from activity.models import Event, OperationType, ResourceType
from activity.tests.factories import EventFactory
from core.roles import PARTNER_ROLE_PERMISSIONS, Action, Role
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory

URL = "/v1/auditrecords"
PROBLEM = "application/problem+json"
MARCH = {"startDate": "2026-03-01", "endDate": "2026-03-31"}


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [record["id"] for record in response.json()["items"]]


def _problem(response, code: str, field: str | None = None) -> dict:
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["code"] == code
    if field:
        assert [error["field"] for error in body["errors"]] == [field]
    return body


@pytest.fixture
def contoso(global_admin):
    return CustomerFactory(partner=global_admin.partner, company_name="Contoso Italia",
                           primary_domain="contoso.onmicrosoft.com")


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_only_the_four_roles_read_audit_records(role, role_users, api_client_for):
    response = api_client_for(role_users[role]).get(URL)
    if role in PARTNER_ROLE_PERMISSIONS[Action.VIEW_ACTIVITY_LOG]:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "role_required"
        assert "Global admin" in response.json()["detail"]


def test_a_record_has_partner_centers_fields(global_admin, api_client_for, contoso):
    event = EventFactory(
        partner=global_admin.partner, occurred_at=datetime(2026, 3, 10, 9, 15, 30, 5, tzinfo=UTC),
        actor_email="agent@owner.example", ip_address="198.51.100.9",
        operation_type=OperationType.GET_SOFTWARE_KEY, resource_type=ResourceType.SOFTWARE,
        customer=contoso, object_id="purchase-3",
        details={"productTitle": "Windows Server 2022", "keys": 2},
    )
    [record] = api_client_for(global_admin).get(URL, MARCH).json()["items"]
    assert record == {
        "id": str(event.id), "partnerId": global_admin.partner.partner_number,
        "customerId": str(contoso.entra_tenant_id), "customerName": "Contoso Italia",
        "userPrincipalName": "agent@owner.example", "resourceType": "software",
        "operationType": "get_software_key", "operationDate": "2026-03-10T09:15:30.000005Z",
        "operationStatus": "succeeded", "ipAddress": "198.51.100.9", "userAgent": "pytest/1",
        "originalCorrelationId": event.correlation_id,
        "customizedData": record["customizedData"],
        "attributes": {"objectType": "AuditRecord"},
    }
    assert record["customizedData"][0] == {"key": "objectId", "value": "purchase-3"}
    assert sorted(record["customizedData"][1:], key=lambda pair: pair["key"]) == [
        {"key": "keys", "value": "2"}, {"key": "productTitle", "value": "Windows Server 2022"},
    ]


def test_an_event_without_customer_or_user_has_nulls_and_an_empty_user(
    global_admin, api_client_for
):
    EventFactory(partner=global_admin.partner, occurred_at=datetime(2026, 3, 10, tzinfo=UTC),
                 actor_email="", ip_address=None)
    [record] = api_client_for(global_admin).get(URL, MARCH).json()["items"]
    assert (record["customerId"], record["customerName"], record["userPrincipalName"],
            record["ipAddress"]) == (None, None, "", None)


def test_dates_cover_whole_utc_days_and_datetimes_are_exact(global_admin, api_client_for):
    last_second = EventFactory(partner=global_admin.partner,
                               occurred_at=datetime(2026, 3, 31, 23, 59, 59, tzinfo=UTC))
    EventFactory(partner=global_admin.partner, occurred_at=datetime(2026, 4, 1, tzinfo=UTC))
    first = EventFactory(partner=global_admin.partner, occurred_at=datetime(2026, 3, 1, tzinfo=UTC))
    EventFactory(partner=global_admin.partner,
                 occurred_at=datetime(2026, 2, 28, 23, 59, 59, tzinfo=UTC))
    client = api_client_for(global_admin)
    assert _ids(client.get(URL, MARCH)) == [str(last_second.id), str(first.id)]
    # A date-time without an offset is UTC; one with an offset is honoured; the end is exclusive.
    assert _ids(client.get(URL, {"startDate": "2026-03-31T23:59:59",
                                 "endDate": "2026-04-01T02:00:00+02:00"})) == [str(last_second.id)]
    assert _ids(client.get(URL, {"startDate": "2026-03-01T00:00:00Z",
                                 "endDate": "2026-03-31T23:59:59Z"})) == [str(first.id)]


def test_without_dates_the_last_30_days_are_returned(global_admin, api_client_for):
    recent = EventFactory(partner=global_admin.partner, operation_type=OperationType.CREATE_ORDER,
                          occurred_at=datetime.now(UTC) - timedelta(days=29))
    EventFactory(partner=global_admin.partner, operation_type=OperationType.CREATE_ORDER,
                 occurred_at=datetime.now(UTC) - timedelta(days=31))
    ids = _ids(api_client_for(global_admin).get(URL, {"filter": json.dumps(
        {"Field": "OperationType", "Value": "create_order", "Operator": "equals"})}))
    assert ids == [str(recent.id)]


@pytest.mark.parametrize(
    ("field", "operator", "value", "expected"),
    [
        ("CompanyName", "substring", "TOSO ITA", "contoso"),
        ("CustomerId", "equals", "<guid>", "contoso"),
        ("ResourceType", "equals", "order", "order"),
        ("OperationType", "equals", "create_order", "order"),
        ("OperationType", "equals", "software_download", "download"),
        ("UserPrincipalName", "equals", "Agent@Owner.example", "download"),
    ],
)
def test_each_filter_form_selects_its_records(
    global_admin, api_client_for, contoso, field, operator, value, expected
):
    at = datetime(2026, 3, 10, tzinfo=UTC)
    events = {
        "contoso": EventFactory(partner=global_admin.partner, occurred_at=at, customer=contoso),
        "order": EventFactory(partner=global_admin.partner, occurred_at=at,
                              operation_type=OperationType.CREATE_ORDER,
                              resource_type=ResourceType.ORDER),
        "download": EventFactory(partner=global_admin.partner, occurred_at=at,
                                 actor_email="agent@owner.example",
                                 operation_type=OperationType.SOFTWARE_DOWNLOAD,
                                 resource_type=ResourceType.SOFTWARE),
    }
    value = str(contoso.entra_tenant_id) if value == "<guid>" else value
    spec = json.dumps({"Field": field, "Value": value, "Operator": operator})
    assert _ids(api_client_for(global_admin).get(URL, {**MARCH, "filter": spec})) == [
        str(events[expected].id)
    ]


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"startDate": "31/03/2026"}, "validation_error", "startDate"),
        ({"endDate": "2026-02-30"}, "validation_error", "endDate"),
        ({"startDate": "2026-03-10", "endDate": "2026-03-01"}, "validation_error", "startDate"),
        ({"endDate": "9999-12-31"}, "date_out_of_range", "endDate"),
        ({"filter": "{not json"}, "invalid_filter", "filter"),
        ({"filter": '{"Field":"CompanyName","Value":"x","Operator":"starts_with"}'},
         "invalid_filter", "filter"),
        ({"filter": '{"Field":"Password","Value":"x","Operator":"equals"}'},
         "invalid_filter", "filter"),
        ({"filter": '{"Field":"CustomerId","Value":"contoso","Operator":"equals"}'},
         "invalid_filter", "filter"),
        ({"filter": '{"Field":"OperationType","Value":"drop","Operator":"equals"}'},
         "invalid_filter", "filter"),
        ({"filter": '{"Field":"ResourceType","Value":"drop","Operator":"equals"}'},
         "invalid_filter", "filter"),
        ({"continuationToken": "garbage!"}, "invalid_continuation_token", "continuationToken"),
    ],
)
def test_bad_parameters_are_400_problems_naming_the_field(
    global_admin, api_client_for, params, code, field
):
    _problem(api_client_for(global_admin).get(URL, params), code, field)


def test_a_bad_request_for_csv_still_answers_problem_json(global_admin, api_client_for):
    response = api_client_for(global_admin).get(
        URL, {"startDate": "2026-03-10", "endDate": "2026-03-01"}, HTTP_ACCEPT="text/csv"
    )
    _problem(response, "validation_error", "startDate")


def test_a_bad_size_for_csv_is_refused_and_records_no_export(global_admin, api_client_for):
    response = api_client_for(global_admin).get(URL, {"size": "null"}, HTTP_ACCEPT="text/csv")
    _problem(response, "invalid_page_size", "size")
    with partner_scope(global_admin.partner):
        assert not Event.objects.filter(operation_type=OperationType.EXPORT_ACTIVITY_LOG).exists()


def test_continuation_tokens_walk_every_record_once_newest_first(global_admin, api_client_for):
    start = datetime(2026, 3, 1, tzinfo=UTC)
    for n in range(23):
        EventFactory(partner=global_admin.partner, occurred_at=start + timedelta(minutes=n // 3))
    client = api_client_for(global_admin)
    seen, token = [], None
    for _ in range(10):
        params = {**MARCH, "size": 5, **({"continuationToken": token} if token else {})}
        body = client.get(URL, params).json()
        assert body["totalCount"] == len(body["items"])
        seen.extend((item["operationDate"], item["id"]) for item in body["items"])
        token = body.get("continuationToken")
        if token is None:
            assert "next" not in body["links"]
            break
        assert body["links"]["next"]["uri"].startswith("http")
    assert len(seen) == 23 == len({event_id for _at, event_id in seen})
    assert [at for at, _id in seen] == sorted((at for at, _id in seen), reverse=True)


def test_another_partners_records_never_appear(global_admin, outsider, api_client_for):
    at = datetime(2026, 3, 10, tzinfo=UTC)
    mine = EventFactory(partner=global_admin.partner, occurred_at=at)
    theirs = EventFactory(partner=outsider.partner, occurred_at=at)
    assert _ids(api_client_for(global_admin).get(URL, MARCH)) == [str(mine.id)]
    assert _ids(api_client_for(outsider).get(URL, MARCH)) == [str(theirs.id)]
    spec = json.dumps({"Field": "UserPrincipalName", "Value": theirs.actor_email,
                       "Operator": "equals"})
    assert _ids(api_client_for(global_admin).get(URL, {**MARCH, "filter": spec})) == []


def test_accept_text_csv_streams_the_whole_range_and_records_the_export(
    global_admin, outsider, api_client_for
):
    at = datetime(2026, 3, 10, 12, tzinfo=UTC)
    for n in range(130):  # more than a JSON page holds
        EventFactory(partner=global_admin.partner, occurred_at=at - timedelta(minutes=n))
    EventFactory(partner=outsider.partner, occurred_at=at)
    response = api_client_for(global_admin).get(URL, MARCH, HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 130
    assert {row["partnerId"] for row in rows} == {str(global_admin.partner.partner_number)}
    assert rows[0]["operationDate"] == "2026-03-10T12:00:00.000000Z"
    with partner_scope(global_admin.partner):
        export = Event.objects.get(operation_type=OperationType.EXPORT_ACTIVITY_LOG)
    assert export.details["filters"]["startDate"] == "2026-03-01T00:00:00+00:00"


def test_the_schema_documents_the_endpoint(db, api_client_for, global_admin):
    document = api_client_for(global_admin).get(
        "/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    ).json()
    operation = document["paths"]["/v1/auditrecords"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"startDate", "endDate", "filter", "size", "continuationToken"} <= names
    assert set(operation["responses"]["200"]["content"]) == {"application/json", "text/csv"}
