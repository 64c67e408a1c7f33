"""The invoice resources in Partner Center's shape (API.md, Invoices)."""

from __future__ import annotations

from babel.numbers import get_currency_symbol
from django.urls import reverse
from rest_framework import serializers

from core.money import decimal_text
from invoices.models import Invoice, InvoiceLine


class LinkOutput(serializers.Serializer):
    uri = serializers.CharField()
    method = serializers.CharField()


class InvoiceTotalsOutput(serializers.Serializer):
    charges = serializers.CharField()
    credits = serializers.CharField()
    subtotal = serializers.CharField(help_text="Before tax, for every market alike.")
    taxTotal = serializers.CharField()
    total = serializers.CharField()


class InvoiceOutput(serializers.Serializer):
    id = serializers.CharField(help_text="The invoice number.")
    documentType = serializers.CharField()
    invoiceType = serializers.CharField()
    invoiceDate = serializers.DateTimeField()
    dueDate = serializers.DateField()
    billingPeriodStartDate = serializers.DateField()
    billingPeriodEndDate = serializers.DateField()
    currencyCode = serializers.CharField()
    currencySymbol = serializers.CharField()
    totalCharges = serializers.CharField(help_text="What the invoice asks for, tax included.")
    totals = InvoiceTotalsOutput()
    pdfAvailable = serializers.BooleanField()
    pdfDownloadLink = serializers.CharField()
    links = serializers.DictField(child=LinkOutput())


class InvoiceLineItemOutput(serializers.Serializer):
    invoiceNumber = serializers.CharField(allow_null=True)
    lineItemNumber = serializers.IntegerField()
    invoiceLineItemType = serializers.CharField()
    billingProvider = serializers.CharField()
    chargeType = serializers.ChoiceField(choices=["new", "cancelImmediate", "customerCredit"])
    chargeDate = serializers.DateTimeField()
    customerId = serializers.CharField()
    customerName = serializers.CharField()
    customerDomainName = serializers.CharField()
    customerCountry = serializers.CharField()
    market = serializers.CharField()
    orderId = serializers.CharField(allow_null=True)
    alternateId = serializers.CharField(allow_null=True)
    productId = serializers.CharField(allow_null=True)
    skuId = serializers.CharField(allow_null=True)
    availabilityId = serializers.CharField(allow_null=True)
    productName = serializers.CharField(allow_null=True)
    skuName = serializers.CharField(allow_null=True)
    termDuration = serializers.CharField(allow_null=True)
    quantity = serializers.IntegerField(allow_null=True)
    unitPrice = serializers.CharField(allow_null=True)
    subtotal = serializers.CharField(help_text="Before tax; negative for credits.")
    taxTotal = serializers.CharField()
    totalForCustomer = serializers.CharField()
    taxRate = serializers.CharField()
    pricesIncludeTax = serializers.BooleanField()
    currency = serializers.CharField()
    creditReasonCode = serializers.CharField(allow_null=True)
    serviceRequestId = serializers.CharField(allow_null=True)
    originalInvoiceNumber = serializers.CharField(allow_null=True)


class StatementPreparingOutput(serializers.Serializer):
    status = serializers.ChoiceField(choices=["preparing"])
    code = serializers.CharField()
    detail = serializers.CharField()


def _link(request, name: str, number: str) -> dict:
    return {
        "uri": request.build_absolute_uri(reverse(name, kwargs={"invoice_id": number})),
        "method": "GET",
    }


def invoice_representation(invoice: Invoice, *, request) -> dict:
    currency = invoice.currency_code
    statement = _link(request, "api:invoice-statement", invoice.number)
    return {
        "id": invoice.number,
        "documentType": "Invoice",
        "invoiceType": "OneTime",
        "invoiceDate": invoice.issued_at.isoformat(),
        "dueDate": invoice.due_date.isoformat(),
        "billingPeriodStartDate": invoice.period_start.isoformat(),
        "billingPeriodEndDate": invoice.period_end.isoformat(),
        "currencyCode": currency,
        "currencySymbol": get_currency_symbol(currency, locale="en"),
        "totalCharges": decimal_text(invoice.total, currency),
        "totals": {
            "charges": decimal_text(invoice.charges_total, currency),
            "credits": decimal_text(invoice.credits_total, currency),
            "subtotal": decimal_text(invoice.subtotal, currency),
            "taxTotal": decimal_text(invoice.tax_total, currency),
            "total": decimal_text(invoice.total, currency),
        },
        "pdfAvailable": invoice.has_pdf,
        "pdfDownloadLink": statement["uri"],
        "links": {
            "self": _link(request, "api:invoice-get", invoice.number),
            "lineItems": _link(request, "api:invoice-lineitems", invoice.number),
            "statement": statement,
        },
    }


def line_item_representation(line: InvoiceLine, *, invoice_number: str | None) -> dict:
    currency = line.currency_code
    product_id = sku_id = availability_id = None
    if line.catalog_item_id:
        product_id, sku_id, availability_id = line.catalog_item_id.split(":")
    return {
        "invoiceNumber": invoice_number,
        "lineItemNumber": line.line_number,
        "invoiceLineItemType": "billing_line_items",
        "billingProvider": "one_time",
        "chargeType": line.kind,
        "chargeDate": line.occurred_at.isoformat(),
        "customerId": str(line.customer_tenant_id),
        "customerName": line.customer_name,
        "customerDomainName": line.customer_domain,
        "customerCountry": line.customer_country,
        "market": line.market,
        "orderId": str(line.order_id) if line.order_id else None,
        "alternateId": line.order_alternate_id or None,
        "productId": product_id,
        "skuId": sku_id,
        "availabilityId": availability_id,
        "productName": line.product_title or None,
        "skuName": line.sku_title or None,
        "termDuration": line.term_duration or None,
        "quantity": line.quantity,
        "unitPrice": decimal_text(line.unit_price) if line.unit_price is not None else None,
        "subtotal": decimal_text(line.amount, currency),
        "taxTotal": decimal_text(line.tax_amount, currency),
        "totalForCustomer": decimal_text(line.total, currency),
        "taxRate": decimal_text(line.tax_rate_percent),
        "pricesIncludeTax": line.prices_include_tax,
        "currency": currency,
        "creditReasonCode": line.credit_reason_code or None,
        "serviceRequestId": str(line.service_request_id) if line.service_request_id else None,
        "originalInvoiceNumber": line.original_invoice.number if line.original_invoice else None,
    }
