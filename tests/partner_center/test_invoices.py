"""Partner Center's invoice samples, with the world's invoice number."""

from __future__ import annotations

from decimal import Decimal

from .shapes import assert_collection, assert_echoes_sample_ids, assert_link, assert_resource


def _assert_invoice(invoice: dict) -> None:
    assert_resource(invoice, "Invoice")
    assert invoice["invoiceType"] == "OneTime"
    assert isinstance(invoice["totalCharges"], Decimal)
    assert isinstance(invoice["paidAmount"], Decimal)
    assert_link(invoice["links"]["self"])
    [detail] = invoice["invoiceDetails"]
    assert (detail["invoiceLineItemType"], detail["billingProvider"]) == (
        "billing_line_items", "one_time",
    )
    assert_resource(detail, "InvoiceDetail")
    assert_link(detail["links"]["self"])
    assert detail["links"]["self"]["uri"].endswith(
        f"/invoices/{invoice['id']}/lineitems/OneTime/BillingLineItems"
    )


def _assert_line_item(line: dict) -> None:
    assert_resource(line, "OneTimeInvoiceLineItem")
    assert (line["invoiceLineItemType"], line["billingProvider"]) == (
        "billing_line_items", "one_time",
    )
    for money in ("unitPrice", "subtotal", "tax", "totalForCustomer"):
        assert isinstance(line[money], Decimal), money


def test_get_a_collection_of_invoices__request_example(world, pc):
    """develop/get-a-collection-of-invoices.md, Request example: ?size=200&offset=0."""
    response = pc.get("/v1/invoices?size=200&offset=0")
    assert response.status_code == 200
    assert_echoes_sample_ids(response)
    items = assert_collection(response.json(parse_float=Decimal), "Invoice")
    assert world.invoice.number in {item["id"] for item in items}
    for item in items:
        _assert_invoice(item)


def test_get_invoice_by_id__request_example(world, pc):
    """develop/get-invoice-by-id.md, Request example: totals as numbers, invoiceDetails."""
    response = pc.get(f"/v1/invoices/{world.invoice.number}")
    assert response.status_code == 200
    invoice = response.json(parse_float=Decimal)
    _assert_invoice(invoice)
    assert invoice["totalCharges"] == world.invoice.total
    assert invoice["paidAmount"] == 0


def _line_items(pc, path: str) -> list[dict]:
    response = pc.get(path)
    assert response.status_code == 200, response.content
    return assert_collection(response.json(parse_float=Decimal))


def test_get_invoiceline_items__request_example_office_billing(world, pc):
    """develop/get-invoiceline-items.md, Request example (provider=Office, BillingLineItems):
    the portal bills no Office line items, so the collection is empty."""
    path = (f"/v1/invoices/{world.invoice.number}/lineitems?provider=Office"
            "&nvoicelineitemtype=BillingLineItems&size=2&offset=0")
    assert _line_items(pc, path) == []


def test_get_invoiceline_items__request_example_azure_billing(world, pc):
    """develop/get-invoiceline-items.md, Request example (provider=Azure, BillingLineItems)."""
    path = (f"/v1/invoices/{world.invoice.number}/lineitems?provider=Azure"
            "&invoicelineitemtype=BillingLineItems&size=2&offset=0")
    assert _line_items(pc, path) == []


def test_get_invoiceline_items__request_example_azure_usage(world, pc):
    """develop/get-invoiceline-items.md, Request example (provider=Azure, UsageLineItems)."""
    path = (f"/v1/invoices/{world.invoice.number}/lineitems?provider=Azure"
            "&invoicelineitemtype=UsageLineItems&size=2&offset=0")
    assert _line_items(pc, path) == []


def test_get_invoiceline_items__request_example_one_time(world, pc):
    """develop/get-invoiceline-items.md, Request example: /lineitems/OneTime/BillingLineItems."""
    path = f"/v1/invoices/{world.invoice.number}/lineitems/OneTime/BillingLineItems?size=2&offset=0"
    items = _line_items(pc, path)
    assert items
    for item in items:
        _assert_line_item(item)
    lower = f"/v1/invoices/{world.invoice.number}/lineitems/one_time/billing_line_items"
    assert _line_items(pc, lower) == items


def test_get_invoiceline_items__request_example_one_time_next_page(world, pc):
    """develop/get-invoiceline-items.md, Request example with seekOperation=Next: the portal
    pages with continuationToken (also as the MS-ContinuationToken header), which
    links.next names."""
    path = f"/v1/invoices/{world.invoice.number}/lineitems/OneTime/BillingLineItems"
    response = pc.get(f"{path}?seekOperation=Next")
    assert response.status_code == 200
    assert "next" not in response.json()["links"]


def test_get_invoice_statement__request_example(world, pc):
    """develop/get-invoice-statement.md, Request example: the PDF, or 202 while it is made."""
    response = pc.get(f"/v1/invoices/{world.invoice.number}/documents/statement")
    assert response.status_code in (200, 202)
    if response.status_code == 200:
        assert response["Content-Type"] == "application/pdf"
    else:
        assert response["Retry-After"]


def test_invoice_line_item_provider_outside_partner_center_is_a_clear_400(world, pc):
    """develop/invoice-resources.md: providers are Partner Center's; another is refused."""
    response = pc.get(f"/v1/invoices/{world.invoice.number}/lineitems/Amazon/BillingLineItems")
    assert (response.status_code, response.json()["code"]) == (400, "invalid_provider")
