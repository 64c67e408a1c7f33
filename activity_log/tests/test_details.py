"""The Details and Product columns read as sentences: never a Python dict or list, whatever
shape an event recorded, and orders name their products."""

import re

import pytest
from django.utils import translation

from activity.models import Event, OperationType
from activity_log.details import event_details_text, event_product_text
from core.roles import Role
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from orders.tests.factories import order_for

URL = "/settings/activity-log/"
PYTHON_SHAPES = re.compile(r"[\[\]{}]|'[A-Za-z]+':")


def _event(operation, details) -> Event:
    return Event(operation_type=operation, details=details)


@pytest.mark.parametrize(
    ("operation", "details", "expected"),
    [
        (OperationType.CREATE_ORDER,
         {"orderId": "8c1e…", "alternateId": "7LNNV4G68S", "total": "2138.00",
          "currencyCode": "EUR", "lineItems": [
              {"offerId": "X:0001:Y", "productTitle": "Windows Server 2022 Standard",
               "quantity": 2}]},
         "2 × Windows Server 2022 Standard, order 7LNNV4G68S"),
        (OperationType.CANCEL_ORDER,
         {"productTitle": "SQL Server", "orderId": "u", "alternateId": "BCDFGHJKLM",
          "lineItemNumber": 0, "creditPreview": "122.00", "currencyCode": "EUR",
          "completeAfter": "2026-03-01T10:15:00+00:00"},
         "order BCDFGHJKLM, credit preview €122.00"),
        (OperationType.COMPLETE_CANCELLATION,
         {"productTitle": "SQL Server", "orderId": "u", "creditId": 4, "credit": "122.00",
          "currencyCode": "EUR"},
         "credit €122.00"),
        (OperationType.CREATE_CREDIT,
         {"kind": "customerCredit", "reasonCode": "refund_approved", "total": "100.00",
          "currencyCode": "EUR", "number": "SR-000012", "orderId": "u"},
         "Refund credit €100.00, support request SR-000012"),
        (OperationType.GET_SOFTWARE_KEY, {"productTitle": "WS", "orderId": "u", "keyCount": 2},
         "2 keys shown"),
        (OperationType.GET_SOFTWARE_DOWNLOAD_LINK,
         {"productTitle": "WS", "orderId": "u", "version": "2022", "language": "it-IT",
          "fileType": "ISO (x64)", "expiresAt": "2026-03-15T10:00:00+00:00",
          "maxDownloads": 50},
         "2022 · it-IT · ISO (x64), valid until 03/15/2026 or 50 downloads"),
        (OperationType.SOFTWARE_DOWNLOAD,
         {"productTitle": "WS", "orderId": "u", "version": "2022", "language": "en-US",
          "fileType": "VHDX"},
         "2022 · en-US · VHDX"),
        (OperationType.SOFTWARE_DOWNLOAD_RESUMED,
         {"productTitle": "WS", "orderId": "u", "version": "2022", "language": "en-US",
          "fileType": "VHDX", "downloadId": 7, "range": "bytes 100-199/1000"},
         "2022 · en-US · VHDX, download 7, bytes 100-199/1000"),
        (OperationType.CREATE_SERVICE_REQUEST,
         {"productTitle": "SQL", "number": "SR-000012", "supportTopic": "csp_purchase_refund",
          "impact": "high", "title": "Refund", "files": 1, "orderId": "u",
          "amountRequested": "100.00", "currencyCode": "EUR"},
         "request SR-000012 “Refund”, CSP Purchase/Refund on behalf of customers, impact High, "
         "amount requested €100.00"),
        (OperationType.UPDATE_SERVICE_REQUEST,
         {"productTitle": "", "number": "SR-000012", "status": "waiting_on_partner"},
         "request SR-000012, Waiting on partner"),
        (OperationType.UPDATE_PARTNER_USER,
         {"email": "a@b.example", "rolesBefore": ["sales_agent"],
          "rolesAfter": ["global_admin", "admin_agent"]},
         "a@b.example: Sales agent → Global admin, Admin agent"),
        (OperationType.INVITE_PARTNER_USER, {"email": "a@b.example", "roles": ["billing_admin"]},
         "a@b.example (Billing admin)"),
        (OperationType.CREATE_API_TOKEN, {"name": "CI", "expiresAt": "2026-06-01T00:00:00+00:00"},
         "“CI”, expires 06/01/2026"),
        (OperationType.MFA_CHANGED, {"added": "totp"}, "added: authenticator app"),
        (OperationType.CREATE_CUSTOMER, {"companyName": "Contoso", "domain": "contoso.example"},
         "Contoso (contoso.example)"),
        (OperationType.UPDATE_CUSTOMER, {"changedFields": ["city", "postal_code"]},
         "changed: city, postal_code"),
        (OperationType.ISSUE_INVOICE,
         {"period": "2026-02", "currencyCode": "EUR", "total": "1000.00", "lineCount": 3},
         "2026-02, €1,000.00, 3 lines"),
        (OperationType.EXPORT_ACTIVITY_LOG,
         {"filters": {"start": "2026-03-01", "end": "2026-03-31", "operation": ""}},
         "filters: start: 2026-03-01, end: 2026-03-31, operation: —"),
    ],
    ids=lambda value: value if isinstance(value, str) and "_" in value else None,
)
def test_each_operation_reads_as_a_sentence(operation, details, expected, settings):
    settings.TIME_ZONE = "UTC"
    with translation.override("en"):
        assert event_details_text(_event(operation, details)) == expected


@pytest.mark.parametrize(
    "details",
    [
        {"lineItems": "not a list"},
        {"lineItems": [{"quantity": 1}], "weird": {"nested": [1, {"x": None}]}},
        {"credit": None},
        ["a", "list", {"of": "things"}],
        "a plain string",
        {"email": "a@b.example", "rolesBefore": None, "rolesAfter": ["nope"]},
        {"expiresAt": "not a date", "maxDownloads": "x", "keyCount": "many"},
        {},
    ],
)
@pytest.mark.parametrize("operation", list(OperationType))
def test_no_shape_of_details_shows_as_a_python_dict_or_list(operation, details):
    text = event_details_text(_event(operation, details))
    assert not PYTHON_SHAPES.search(text), text


def test_an_order_names_its_products_even_when_recorded_before_the_product_key():
    old = _event(OperationType.CREATE_ORDER, {"alternateId": "X", "lineItems": [
        {"productTitle": "SQL Server 2022 Standard", "quantity": 1},
        {"productTitle": "Windows Server 2022 Standard", "quantity": 2},
        {"productTitle": "SQL Server 2022 Standard", "quantity": 3},
    ]})
    assert event_product_text(old) == "SQL Server 2022 Standard, Windows Server 2022 Standard"
    assert event_product_text(_event(OperationType.SIGN_IN, {})) == ""


def test_the_log_shows_a_placed_order_with_its_product_and_a_readable_sentence(
    role_users, client_for
):
    admin = role_users[Role.GLOBAL_ADMIN]
    customer = CustomerFactory(partner=admin.partner, company_name="Contoso Italia")
    order = order_for(customer, actor=admin, quantity=2, title="Windows Server 2022 Standard")
    with partner_scope(admin.partner):
        event = Event.objects.get(operation_type=OperationType.CREATE_ORDER)
    assert event.details["productTitle"] == "Windows Server 2022 Standard"
    response = client_for(admin).get(URL)
    row = response.content.decode().split('data-operation="create_order"')[1].split("</tr>")[0]
    cells = re.findall(r"<td>(.*?)</td>", row)
    assert cells[-2] == "Windows Server 2022 Standard"
    assert cells[-1] == f"2 × Windows Server 2022 Standard, order {order.alternate_id}"


def test_in_italian_the_sentence_and_money_are_italian():
    with translation.override("it"):
        text = event_details_text(_event(OperationType.COMPLETE_CANCELLATION,
                                         {"credit": "1234.50", "currencyCode": "EUR"}))
    assert text == "credito 1.234,50\xa0€"
