from django.urls import reverse
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from core.api.partner_center import AttributesOutput, LinkOutput, attributes, link
from core.money import decimal_text
from orders.models import PurchaseStatus


class LineItemInput(serializers.Serializer):
    lineItemNumber = serializers.IntegerField(min_value=0, required=False)
    offerId = serializers.CharField(max_length=40)
    quantity = serializers.IntegerField(min_value=1, max_value=100_000)
    termDuration = serializers.CharField(max_length=3, required=False, allow_blank=True)


class OrderCreateInput(serializers.Serializer):
    lineItems = LineItemInput(many=True, allow_empty=False, max_length=50)


class PricingOutput(serializers.Serializer):
    unitPrice = serializers.CharField()
    extendedPrice = serializers.CharField()
    taxAmount = serializers.CharField()


class CancellationOutput(serializers.Serializer):
    allowed = serializers.BooleanField()
    allowedUntil = serializers.DateTimeField(allow_null=True)
    daysRemaining = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField(allow_null=True)
    creditPreview = serializers.CharField(allow_null=True)


class LineItemOutput(serializers.Serializer):
    lineItemNumber = serializers.IntegerField()
    offerId = serializers.CharField()
    productId = serializers.CharField()
    skuId = serializers.CharField()
    productName = serializers.CharField()
    quantity = serializers.IntegerField()
    termDuration = serializers.CharField(allow_blank=True)
    pricing = PricingOutput()
    status = serializers.CharField()
    cancellation = CancellationOutput()
    links = inline_serializer("OrderLineItemLinks", {"sku": LinkOutput()})
    attributes = AttributesOutput()


class OrderOutput(serializers.Serializer):
    id = serializers.CharField()
    alternateId = serializers.CharField()
    referenceCustomerId = serializers.CharField()
    status = serializers.CharField()
    creationDate = serializers.DateTimeField()
    currencyCode = serializers.CharField()
    pricesIncludeTax = serializers.BooleanField()
    subtotal = serializers.CharField()
    taxTotal = serializers.CharField()
    total = serializers.CharField()
    billingCycle = serializers.ChoiceField(
        choices=["one_time"], help_text="Partner Center's: software is bought outright."
    )
    lineItems = LineItemOutput(many=True)
    links = inline_serializer("OrderLinks", {"self": LinkOutput()})
    attributes = AttributesOutput()


# One field for every date: a serializer instance per order deep-copied its two dozen fields,
# which took most of an orders page's time. OrderOutput stays the documented shape.
_DATETIME = serializers.DateTimeField()


def order_representation(order, *, customer, cancellations: dict) -> dict:
    """The order as API.md shapes it (OrderOutput); `cancellations` maps line ids to facts."""
    currency = order.currency_code
    country = customer.country.code
    lines = []
    for line in order.lines.all():
        facts = cancellations[line.pk]
        product_id, sku_id = line.catalog_item_id.split(":")[:2]
        lines.append(
            {
                "lineItemNumber": line.line_number,
                "offerId": line.catalog_item_id,
                "productId": product_id,
                "skuId": sku_id,
                "productName": line.product_title,
                "quantity": 0 if line.status == PurchaseStatus.CANCELLED else line.quantity,
                "termDuration": line.term_duration,
                "pricing": {
                    "unitPrice": decimal_text(line.unit_price),
                    "extendedPrice": decimal_text(line.extended_price, currency),
                    "taxAmount": decimal_text(line.tax_amount, currency),
                },
                "status": line.status,
                "cancellation": {
                    "allowed": facts.allowed,
                    "allowedUntil": _DATETIME.to_representation(facts.allowed_until),
                    "daysRemaining": facts.days_remaining,
                    "reason": facts.reason or None,
                    "creditPreview": (
                        decimal_text(facts.credit_preview, currency)
                        if facts.credit_preview is not None
                        else None
                    ),
                },
                "links": {"sku": link(
                    reverse("api:catalog-sku-get", kwargs={"product_id": product_id,
                                                          "sku_id": sku_id})
                    + f"?country={country}"
                )},
                "attributes": attributes("OrderLineItem"),
            }
        )
    return {
        "id": str(order.id),
        "alternateId": order.alternate_id,
        "referenceCustomerId": str(customer.entra_tenant_id),
        "status": order.status,
        "creationDate": _DATETIME.to_representation(order.placed_at),
        "currencyCode": currency,
        "pricesIncludeTax": order.prices_include_tax,
        "subtotal": decimal_text(order.subtotal, currency),
        "taxTotal": decimal_text(order.tax_total, currency),
        "total": decimal_text(order.total, currency),
        "billingCycle": "one_time",
        "lineItems": lines,
        "links": {"self": link(reverse(
            "api:order-get",
            kwargs={"customer_id": str(customer.entra_tenant_id), "order_id": str(order.id)},
        ))},
        "attributes": attributes("Order"),
    }
