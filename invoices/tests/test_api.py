"""GET /v1/invoices, /{id}, /{id}/lineitems, /{id}/documents/statement, /unbilled/lineitems."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from core.roles import Role
from core.tenancy import partner_scope
from invoices.services import invoice_pdf_render


@pytest.fixture
def closed(story, time_machine):
    time_machine.move_to(datetime(2026, 11, 3, 9, tzinfo=UTC), tick=False)
    story.close_october()
    return story


@pytest.fixture
def api(role_users, api_client_for):
    return api_client_for(role_users[Role.BILLING_ADMIN])


def test_the_list_pages_newest_first(closed, api):
    first = api.get("/v1/invoices?size=2").json()
    assert first["totalCount"] == 3
    assert [i["billingPeriodStartDate"] for i in first["items"]] == ["2026-10-01", "2026-10-01"]
    rest = api.get("/v1/invoices", HTTP_MS_CONTINUATIONTOKEN=first["continuationToken"]).json()
    assert [i["id"] for i in rest["items"]] == [closed.september_invoice.number]


def test_an_invoice_has_its_period_totals_and_pdf_link(closed, api):
    euro = closed.invoice("EUR")
    body = api.get(f"/v1/invoices/{euro.number}").json(parse_float=Decimal)
    assert body["id"] == euro.number and body["documentType"] == "Invoice"
    assert (body["billingPeriodStartDate"], body["billingPeriodEndDate"]) == (
        "2026-10-01",
        "2026-10-31",
    )
    assert (body["invoiceDate"], body["dueDate"]) == ("2026-11-01T00:30:00+00:00", "2026-12-01")
    assert body["totals"] == {
        "charges": Decimal("1967.68"),
        "credits": Decimal("-1090.99"),
        "subtotal": Decimal("724.75"),
        "taxTotal": Decimal("151.94"),
        "total": Decimal("876.69"),
    }
    assert body["totalCharges"] == Decimal("876.69") and body["currencyCode"] == "EUR"
    assert body["pdfDownloadLink"] == (
        f"http://testserver/v1/invoices/{euro.number}/documents/statement"
    )
    assert body["pdfAvailable"] is False


def test_line_items_are_charges_cancellation_credits_and_refunds(closed, api):
    euro, aud = closed.invoice("EUR"), closed.invoice("AUD")
    items = api.get(f"/v1/invoices/{euro.number}/lineitems").json(parse_float=Decimal)["items"]
    assert [(i["chargeType"], i["totalForCustomer"]) for i in items] == [
        ("new", Decimal("297.50")),
        ("new", Decimal("1304.18")),
        ("new", Decimal("366.00")),
        ("cancelImmediate", Decimal("-1090.99")),
    ]
    credit = items[-1]
    assert credit["orderId"] == str(closed.cancelled.order_id)
    assert credit["originalInvoiceNumber"] == closed.september_invoice.number
    assert (credit["subtotal"], credit["taxTotal"], credit["creditReasonCode"]) == (
        Decimal("-894.25"),
        Decimal("-196.74"),
        "cancelled_within_window",
    )
    refund = api.get(f"/v1/invoices/{aud.number}/lineitems").json(parse_float=Decimal)["items"][-1]
    assert (refund["chargeType"], refund["creditReasonCode"], refund["serviceRequestId"]) == (
        "customerCredit",
        "supportRequestRefund",
        "4711",
    )
    assert (refund["subtotal"], refund["taxTotal"], refund["totalForCustomer"]) == (
        Decimal("-112.23"),
        Decimal("-11.22"),
        Decimal("-123.45"),
    )
    assert refund["pricesIncludeTax"] is True and refund["market"] == "AU"


def test_the_statement_is_being_prepared_then_the_same_pdf_every_time(closed, api):
    euro = closed.invoice("EUR")
    url = f"/v1/invoices/{euro.number}/documents/statement"
    pending = api.get(url)
    assert pending.status_code == 202 and pending["Retry-After"] == "30"
    assert pending.json()["code"] == "document_being_prepared"
    with partner_scope(closed.partner):
        invoice_pdf_render(invoice_id=euro.pk)
    first, second = api.get(url), api.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert b"".join(first.streaming_content) == b"".join(second.streaming_content)
    assert api.get(f"/v1/invoices/{euro.number}").json()["pdfAvailable"] is True


def test_unbilled_line_items_hold_what_no_invoice_has_yet(story, api):
    unbilled = api.get("/v1/invoices/unbilled/lineitems?currencyCode=EUR")
    items = unbilled.json(parse_float=Decimal)["items"]
    assert [(i["chargeType"], i["totalForCustomer"], i["invoiceNumber"]) for i in items] == [
        ("new", Decimal("297.50"), None),
        ("new", Decimal("1304.18"), None),
        ("new", Decimal("366.00"), None),
        ("cancelImmediate", Decimal("-1090.99"), None),
    ]
    both = api.get("/v1/invoices/unbilled/lineitems").json(parse_float=Decimal)
    assert both["totalCount"] == 7
    story.close_october()
    assert api.get("/v1/invoices/unbilled/lineitems").json(parse_float=Decimal)["totalCount"] == 0


def test_an_unknown_currency_is_a_problem_naming_the_field(db, api):
    response = api.get("/v1/invoices/unbilled/lineitems?currencyCode=XYZ")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "invalid_currency_code"
    assert problem["errors"][0]["field"] == "currencyCode"


def test_an_admin_agent_is_refused_with_the_roles_named(closed, role_users, api_client_for):
    response = api_client_for(role_users[Role.ADMIN_AGENT]).get("/v1/invoices")
    assert response.status_code == 403
    assert response.json()["code"] == "role_required"
    assert "Billing admin" in response.json()["detail"]


def test_another_partners_invoice_is_404_in_every_form(closed, outsider, api_client_for):
    euro = closed.invoice("EUR")
    with partner_scope(closed.partner):
        invoice_pdf_render(invoice_id=euro.pk)
    client = api_client_for(outsider)
    for suffix in ("", "/lineitems", "/documents/statement"):
        response = client.get(f"/v1/invoices/{euro.number}{suffix}")
        assert response.status_code == 404, suffix
        assert response.json()["code"] == "not_found"
    assert client.get("/v1/invoices").json()["totalCount"] == 0


def test_the_openapi_document_describes_the_invoice_routes(db, api):
    paths = api.get("/v1/schema/?format=json").json()["paths"]
    assert {
        "/v1/invoices",
        "/v1/invoices/{invoice_id}",
        "/v1/invoices/{invoice_id}/lineitems",
        "/v1/invoices/{invoice_id}/documents/statement",
        "/v1/invoices/unbilled/lineitems",
    } <= set(paths)
