"""Partner Center's catalogue shapes (camelCase), plus the portal's purchasability verdict."""

from urllib.parse import urlencode

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from catalog.models import Term
from catalog.target_views import TargetView
from core.api.partner_center import LinkOutput, ObjectTypeField, link

# Partner Center's narrower reservation views are slices of the portal's one.
_PARTNER_CENTER_TARGET_VIEWS = {
    "azurereservationsvm": TargetView.AZURE_RESERVATIONS,
    "azurereservationssql": TargetView.AZURE_RESERVATIONS,
    "azurereservationscosmosdb": TargetView.AZURE_RESERVATIONS,
    **{view.value.lower(): view for view in TargetView},
}


class TargetViewField(serializers.ChoiceField):
    """A target view in any casing, Partner Center's reservation views included."""

    def to_internal_value(self, data):
        view = _PARTNER_CENTER_TARGET_VIEWS.get(str(data).lower())
        return super().to_internal_value(view.value if view is not None else data)


class CatalogueQueryInput(serializers.Serializer):
    country = serializers.CharField(max_length=8, help_text="ISO 3166-1 alpha-2, e.g. IT.")
    targetView = TargetViewField(  # the API's parameter name
        choices=TargetView.choices, required=False,
        help_text="A slice of the catalogue; every product when absent.",
    )




class _Verdict(serializers.Serializer):
    isPurchasable = serializers.BooleanField(source="purchasability.is_purchasable")
    unavailableReason = serializers.SerializerMethodField()
    unavailableReasonCode = serializers.SerializerMethodField()

    def get_unavailableReason(self, offer) -> str | None:
        return offer.purchasability.reason or None

    def get_unavailableReasonCode(self, offer) -> str | None:
        return offer.purchasability.code or None


def _link(context, name: str, **kwargs) -> dict:
    """A link to the country-wide route, in the market asked about, as Partner Center gives it."""
    uri = reverse(f"api:{name}", kwargs=kwargs) + "?" + urlencode({"country": context["country"]})
    return link(context["request"].build_absolute_uri(uri))


class ProductOutput(_Verdict):
    """One `CatalogueEntry`."""

    id = serializers.CharField(source="product.product_id")
    title = serializers.CharField(source="product.title")
    description = serializers.CharField(source="product.description")
    publisherName = serializers.CharField(source="product.publisher")
    productType = serializers.SerializerMethodField()
    issuesKeys = serializers.BooleanField(source="product.issues_keys")
    links = serializers.SerializerMethodField()
    attributes = ObjectTypeField("Product")

    @extend_schema_field(inline_serializer("ProductType", {
        "id": serializers.CharField(), "displayName": serializers.CharField()}))
    def get_productType(self, entry) -> dict:
        return {"id": entry.product.family, "displayName": entry.product.get_family_display()}

    @extend_schema_field(inline_serializer("ProductLinks", {"skus": LinkOutput(),
                                                            "self": LinkOutput()}))
    def get_links(self, entry) -> dict:
        product_id = entry.product.product_id
        return {"skus": _link(self.context, "catalog-sku-list", product_id=product_id),
                "self": _link(self.context, "catalog-product-get", product_id=product_id)}


class SkuOutput(_Verdict):
    """One `Offer`, seen as its SKU."""

    id = serializers.CharField(source="sku.sku_id")
    productId = serializers.CharField(source="sku.product.product_id")
    title = serializers.CharField(source="sku.title")
    termDuration = serializers.SerializerMethodField()
    billing = serializers.CharField(source="sku.billing")
    minimumQuantity = serializers.IntegerField(source="sku.min_quantity")
    maximumQuantity = serializers.IntegerField(source="sku.max_quantity")
    links = serializers.SerializerMethodField()
    attributes = ObjectTypeField("Sku")

    def get_termDuration(self, offer) -> str | None:
        return offer.sku.term or None

    @extend_schema_field(inline_serializer("SkuLinks", {"availabilities": LinkOutput(),
                                                        "self": LinkOutput()}))
    def get_links(self, offer) -> dict:
        ids = {"product_id": offer.sku.product.product_id, "sku_id": offer.sku.sku_id}
        return {"availabilities": _link(self.context, "catalog-availability-list", **ids),
                "self": _link(self.context, "catalog-sku-get", **ids)}


class CancellationPolicyOutput(serializers.Serializer):
    windowDays = serializers.IntegerField(source="window_days", allow_null=True)
    cancellable = serializers.BooleanField(source="is_cancellable")


class TermOutput(serializers.Serializer):
    duration = serializers.CharField(allow_null=True, help_text="ISO 8601; null for perpetual.")
    description = serializers.CharField()
    cancellationPolicy = CancellationPolicyOutput(source="cancellation_policy")


class AvailabilityOutput(_Verdict):
    """One `Offer` that has an availability in the market."""

    id = serializers.CharField(source="availability.availability_id")
    productId = serializers.CharField(source="sku.product.product_id")
    skuId = serializers.CharField(source="sku.sku_id")
    catalogItemId = serializers.CharField(source="availability.catalog_item_id")
    country = serializers.CharField(source="availability.market.country.code")
    currencyCode = serializers.SerializerMethodField()
    unitPrice = serializers.DecimalField(
        source="price.unit_price", max_digits=14, decimal_places=4, allow_null=True,
        coerce_to_string=True, default=None,
    )
    pricesIncludeTax = serializers.BooleanField(source="availability.market.prices_include_tax")
    terms = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()
    attributes = ObjectTypeField("Availability")

    @extend_schema_field(inline_serializer("AvailabilityLinks", {"self": LinkOutput()}))
    def get_links(self, offer) -> dict:
        return {"self": _link(
            self.context, "catalog-availability-get", product_id=offer.sku.product.product_id,
            sku_id=offer.sku.sku_id, availability_id=offer.availability.availability_id,
        )}

    @extend_schema_field(OpenApiTypes.STR)
    def get_currencyCode(self, offer) -> str:
        if offer.price is not None:
            return offer.price.currency_code
        return offer.availability.market.currency_code

    @extend_schema_field(TermOutput(many=True))
    def get_terms(self, offer) -> list[dict]:
        term = Term(offer.sku.term)
        return TermOutput([{
            "duration": term.value or None, "description": term.label,
            "cancellation_policy": offer.sku.product.cancellation_policy,
        }], many=True).data
