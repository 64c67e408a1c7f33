"""The invoice resources in Partner Center's shape (API.md, Invoices)."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import get_currency_symbol
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from core.api.partner_center import AttributesOutput, LinkOutput, attributes, link
from core.errors import PortalError
from core.money import round_money
from invoices.models import Invoice, InvoiceLine


def _money(**kwargs) -> serializers.DecimalField:
    """Money as a JSON number, as Partner Center sends it, rounded to the currency's places."""
    return serializers.DecimalField(
        max_digits=18, decimal_places=4, coerce_to_string=False, **kwargs
    )


class InvoiceDetailOutput(serializers.Serializer):
    invoiceLineItemType = serializers.ChoiceField(choices=["billing_line_items"])
    billingProvider = serializers.ChoiceField(choices=["one_time"])
    links = inline_serializer("InvoiceDetailLinks", {"self": LinkOutput()})
    attributes = AttributesOutput()


class InvoiceTotalsOutput(serializers.Serializer):
    charges = _money()
    credits = _money()
    subtotal = _money(help_text="Before tax, for every market alike.")
    taxTotal = _money()
    total = _money()


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
    totalCharges = _money(help_text="What the invoice asks for, tax included.")
    paidAmount = _money(help_text="Payments are not recorded in the portal: always 0.")
    totals = InvoiceTotalsOutput()
    pdfAvailable = serializers.BooleanField()
    pdfDownloadLink = serializers.CharField()
    invoiceDetails = InvoiceDetailOutput(many=True)
    links = serializers.DictField(child=LinkOutput())
    attributes = AttributesOutput()


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
    unitPrice = _money(allow_null=True)
    subtotal = _money(help_text="Before tax; negative for credits.")
    taxTotal = _money()
    tax = _money(help_text="Partner Center's name for `taxTotal`.")
    totalForCustomer = _money()
    taxRate = _money()
    pricesIncludeTax = serializers.BooleanField()
    currency = serializers.CharField()
    creditReasonCode = serializers.CharField(allow_null=True)
    serviceRequestId = serializers.CharField(allow_null=True)
    originalInvoiceNumber = serializers.CharField(allow_null=True)
    attributes = AttributesOutput()


# Partner Center's billing providers and line item types (invoice-resources.md), keyed without
# case or underscores. Only one-time billing line items exist in the portal; the others are
# valid questions whose answer is an empty collection.
_PROVIDERS = {"onetime": True, "all": True, "office": False, "azure": False, "marketplace": False}
_LINE_ITEM_TYPES = {"billinglineitems": True, "usagelineitems": False}


def invoice_detail_holds_lines(*, provider: str | None, line_item_type: str | None) -> bool:
    """Return whether the portal has line items of this Partner Center provider and type."""
    provider_key = (provider or "OneTime").replace("_", "").lower()
    type_key = (line_item_type or "BillingLineItems").replace("_", "").lower()
    if provider_key not in _PROVIDERS:
        raise PortalError(
            _("provider is one of: OneTime, All, Office, Azure, Marketplace."),
            code="invalid_provider", field="provider",
        )
    if type_key not in _LINE_ITEM_TYPES:
        raise PortalError(
            _("invoiceLineItemType is one of: BillingLineItems, UsageLineItems."),
            code="invalid_line_item_type", field="invoiceLineItemType",
        )
    return _PROVIDERS[provider_key] and _LINE_ITEM_TYPES[type_key]


class StatementPreparingOutput(serializers.Serializer):
    status = serializers.ChoiceField(choices=["preparing"])
    code = serializers.CharField()
    detail = serializers.CharField()


def _link(request, name: str, number: str, **kwargs) -> dict:
    return link(request.build_absolute_uri(reverse(name, kwargs={"invoice_id": number, **kwargs})))


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
        "totalCharges": round_money(invoice.total, currency),
        "paidAmount": round_money(Decimal(0), currency),
        "totals": {
            "charges": round_money(invoice.charges_total, currency),
            "credits": round_money(invoice.credits_total, currency),
            "subtotal": round_money(invoice.subtotal, currency),
            "taxTotal": round_money(invoice.tax_total, currency),
            "total": round_money(invoice.total, currency),
        },
        "pdfAvailable": invoice.has_pdf,
        "pdfDownloadLink": statement["uri"],
        # The one provider and type the portal bills: one-time charges for software.
        "invoiceDetails": [
            {
                "invoiceLineItemType": "billing_line_items",
                "billingProvider": "one_time",
                "links": {"self": _link(
                    request, "api:invoice-provider-lineitems", invoice.number,
                    provider="OneTime", line_item_type="BillingLineItems",
                )},
                "attributes": attributes("InvoiceDetail"),
            }
        ],
        "links": {
            "self": _link(request, "api:invoice-get", invoice.number),
            "lineItems": _link(request, "api:invoice-lineitems", invoice.number),
            "statement": statement,
        },
        "attributes": attributes("Invoice"),
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
        "unitPrice": Decimal(line.unit_price).normalize() if line.unit_price is not None else None,
        "subtotal": round_money(line.amount, currency),
        "taxTotal": round_money(line.tax_amount, currency),
        "tax": round_money(line.tax_amount, currency),
        "totalForCustomer": round_money(line.total, currency),
        "taxRate": Decimal(line.tax_rate_percent).normalize(),
        "pricesIncludeTax": line.prices_include_tax,
        "currency": currency,
        "creditReasonCode": line.credit_reason_code or None,
        "serviceRequestId": str(line.service_request_id) if line.service_request_id else None,
        "originalInvoiceNumber": line.original_invoice.number if line.original_invoice else None,
        "attributes": attributes("OneTimeInvoiceLineItem"),
    }
