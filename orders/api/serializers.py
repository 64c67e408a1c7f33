from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from core.api.partner_center import (
    AttributesOutput,
    LinkOutput,
    api_root,
    attributes,
    datetime_text,
    link,
)
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
    friendlyName = serializers.CharField(help_text="Partner Center's name for productName.")
    links = inline_serializer(
        "OrderLineItemLinks",
        {"product": LinkOutput(), "sku": LinkOutput(), "availability": LinkOutput()},
    )
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


@dataclass(frozen=True)
class CustomerFacts:
    """What every order of a customer's page repeats, worked out once per page."""

    root: str  # api_root()
    tenant_id: str
    country: str


def customer_facts(customer) -> CustomerFacts:
    """Return what every order of the customer's page repeats: the API's root, its tenant GUID
    and country as text (django-countries builds a Country object on every read)."""
    return CustomerFacts(
        root=api_root(), tenant_id=str(customer.entra_tenant_id), country=customer.country.code
    )


def _line_links(catalog_item_id: str, facts: CustomerFacts) -> dict:
    """Where the line's product, SKU and availability are read, as Partner Center links them."""
    product_id, sku_id, availability_id = catalog_item_id.split(":")
    product = f"{facts.root}/products/{product_id}"
    paths = {
        "product": product,
        "sku": f"{product}/skus/{sku_id}",
        "availability": f"{product}/skus/{sku_id}/availabilities/{availability_id}",
    }
    return {name: link(f"{path}?country={facts.country}") for name, path in paths.items()}


def order_representation(
    order, *, customer: CustomerFacts, cancellations: dict, lines: list
) -> dict:
    """The order as API.md shapes it (OrderOutput); `cancellations` maps line ids to facts."""
    currency = order.currency_code
    represented_lines = []
    for line in lines:
        facts = cancellations[line.pk]
        product_id, sku_id = line.catalog_item_id.split(":")[:2]
        represented_lines.append(
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
                    "allowedUntil": datetime_text(facts.allowed_until),
                    "daysRemaining": facts.days_remaining,
                    "reason": facts.reason or None,
                    "creditPreview": (
                        decimal_text(facts.credit_preview, currency)
                        if facts.credit_preview is not None
                        else None
                    ),
                },
                "friendlyName": line.product_title,
                "links": _line_links(line.catalog_item_id, customer),
                "attributes": attributes("OrderLineItem"),
            }
        )
    return {
        "id": str(order.id),
        "alternateId": order.alternate_id,
        "referenceCustomerId": customer.tenant_id,
        "status": order.status,
        "creationDate": datetime_text(order.placed_at),
        "currencyCode": currency,
        "pricesIncludeTax": order.prices_include_tax,
        "subtotal": decimal_text(order.subtotal, currency),
        "taxTotal": decimal_text(order.tax_total, currency),
        "total": decimal_text(order.total, currency),
        "billingCycle": "one_time",
        "lineItems": represented_lines,
        "links": {
            "self": link(f"{customer.root}/customers/{customer.tenant_id}/orders/{order.id}")
        },
        "attributes": attributes("Order"),
    }


class CartLineItemInput(serializers.Serializer):
    id = serializers.IntegerField(min_value=0, max_value=49, required=False)
    catalogItemId = serializers.CharField(max_length=40)
    quantity = serializers.IntegerField(min_value=1, max_value=100_000)
    termDuration = serializers.CharField(max_length=3, required=False, allow_blank=True)
    billingCycle = serializers.ChoiceField(
        choices=["one_time"], required=False,
        help_text="Software is bought outright: one_time, the default.",
    )
    friendlyName = serializers.CharField(max_length=200, required=False, allow_blank=True)


class CartInput(serializers.Serializer):
    lineItems = CartLineItemInput(many=True, allow_empty=False, max_length=50)

    def validate_lineItems(self, items):
        numbered = [{**item, "id": item.get("id", index)} for index, item in enumerate(items)]
        if len({item["id"] for item in numbered}) != len(numbered):
            raise serializers.ValidationError(_("Each line item needs its own id."))
        return [
            {
                "id": item["id"],
                "catalogItemId": item["catalogItemId"],
                "quantity": item["quantity"],
                "termDuration": item.get("termDuration") or None,
                "friendlyName": item.get("friendlyName", ""),
            }
            for item in numbered
        ]


class CartLineItemOutput(serializers.Serializer):
    id = serializers.IntegerField()
    catalogItemId = serializers.CharField()
    friendlyName = serializers.CharField(allow_blank=True)
    quantity = serializers.IntegerField()
    currencyCode = serializers.CharField()
    billingCycle = serializers.ChoiceField(choices=["one_time"])
    termDuration = serializers.CharField(allow_null=True)
    orderGroup = serializers.CharField(help_text="Every line is bought in the one order.")


class CartOutput(serializers.Serializer):
    id = serializers.UUIDField()
    creationTimestamp = serializers.DateTimeField()
    lastModifiedTimestamp = serializers.DateTimeField()
    expirationTimestamp = serializers.DateTimeField()
    lastModifiedUser = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=["Active", "Ordered", "Expired"])
    orderId = serializers.UUIDField(
        allow_null=True, help_text="Beyond Partner Center: the order its checkout placed."
    )
    lineItems = CartLineItemOutput(many=True)
    links = inline_serializer("CartLinks", {"self": LinkOutput()})
    attributes = AttributesOutput()


class CartCheckoutResultOutput(serializers.Serializer):
    orders = OrderOutput(many=True)
    orderErrors = serializers.ListField(child=serializers.DictField())
    attributes = AttributesOutput()


def cart_representation(cart, *, customer, at) -> dict:
    """The cart as Partner Center shapes it (CartOutput)."""
    return {
        "id": str(cart.id),
        "creationTimestamp": datetime_text(cart.created_at),
        "lastModifiedTimestamp": datetime_text(cart.updated_at),
        "expirationTimestamp": datetime_text(cart.expires_at),
        "lastModifiedUser": cart.updated_by.email if cart.updated_by else None,
        "status": "Expired" if cart.is_expired(at) else cart.status,
        "orderId": str(cart.order_id) if cart.order_id else None,
        "lineItems": [
            {
                "id": line["id"],
                "catalogItemId": line["catalogItemId"],
                "friendlyName": line.get("friendlyName", ""),
                "quantity": line["quantity"],
                "currencyCode": line["currencyCode"],
                "billingCycle": line["billingCycle"],
                "termDuration": line["termDuration"],
                "orderGroup": "0",
            }
            for line in cart.lines
        ],
        "links": {"self": link(reverse(
            "api:cart-get",
            kwargs={"customer_id": str(customer.entra_tenant_id), "cart_id": str(cart.id)},
        ))},
        "attributes": attributes("Cart"),
    }
