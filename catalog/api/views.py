"""GET /v1/products[/{productId}[/skus[/{skuId}/availabilities]]]?country=&targetView= (API.md)."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import selectors
from catalog.policy import market_facts_load, product_purchasability
from catalog.selectors import CatalogueEntry, offer_for
from catalog.target_views import TargetView
from core.roles import Action

from .serializers import AvailabilityOutput, CatalogueQueryInput, ProductOutput, SkuOutput

COUNTRY = OpenApiParameter(
    "country", str, required=True,
    description="The market, as an ISO 3166-1 alpha-2 code (e.g. IT). An unknown code answers "
    "400 with code `invalid_country`.",
)
TARGET_VIEW = OpenApiParameter(
    "targetView", str, enum=TargetView.values,
    description="A slice of the catalogue: " + ", ".join(TargetView.values) + ". Every product "
    "when absent.",
)


def _query(request) -> dict:
    data = CatalogueQueryInput(data=request.query_params)
    data.is_valid(raise_exception=True)
    return {"market": selectors.market_get(country=data.validated_data["country"]),
            "target_view": TargetView(data.validated_data["targetView"])
            if "targetView" in data.validated_data else None}


class ProductListApi(ListAPIView):
    required_action = Action.BUY_SOFTWARE
    serializer_class = ProductOutput
    ordering = "product_id"

    @extend_schema(parameters=[COUNTRY, TARGET_VIEW], summary="Products, as a market sees them")
    def get(self, request, **kwargs):
        query = self.catalogue_query(request, **kwargs)
        page = self.paginate_queryset(selectors.product_list(target_view=query["target_view"]))
        facts = market_facts_load(market=query["market"], products=page)
        entries = [
            CatalogueEntry(product=product, offers=[], purchasability=product_purchasability(
                product=product, market=query["market"], facts=facts))
            for product in page
        ]
        return self.get_paginated_response(self.get_serializer(entries, many=True).data)

    def catalogue_query(self, request, **kwargs) -> dict:
        """The market and slice asked for: `country` here, the customer's market elsewhere."""
        return _query(request)


class ProductGetApi(APIView):
    required_action = Action.BUY_SOFTWARE

    @extend_schema(parameters=[COUNTRY], responses=ProductOutput,
                   summary="One product, as a market sees it")
    def get(self, request, product_id: str):
        query = _query(request)
        product = selectors.product_get(product_id=product_id)
        entry = CatalogueEntry(product=product, offers=[], purchasability=product_purchasability(
            product=product, market=query["market"]))
        return Response(ProductOutput(entry, context={"request": request}).data)


class SkuListApi(ListAPIView):
    required_action = Action.BUY_SOFTWARE
    serializer_class = SkuOutput
    ordering = "sku_id"

    @extend_schema(parameters=[COUNTRY], summary="A product's SKUs in a market")
    def get(self, request, product_id: str):
        query = _query(request)
        product = selectors.product_get(product_id=product_id)
        page = self.paginate_queryset(selectors.sku_list(product=product))
        facts = market_facts_load(market=query["market"], products=[product])
        offers = [
            offer_for(sku=sku, availability=None, facts=facts) for sku in page
        ]
        return self.get_paginated_response(self.get_serializer(offers, many=True).data)


class AvailabilityListApi(ListAPIView):
    required_action = Action.BUY_SOFTWARE
    serializer_class = AvailabilityOutput
    ordering = "availability_id"

    @extend_schema(parameters=[COUNTRY],
                   summary="A SKU's availability and price in a market")
    def get(self, request, product_id: str, sku_id: str):
        query = _query(request)
        sku = selectors.sku_get(product=selectors.product_get(product_id=product_id), sku_id=sku_id)
        at = timezone.now()
        page = self.paginate_queryset(
            selectors.availability_list(sku=sku, market=query["market"], at=at)
        )
        facts = market_facts_load(market=query["market"], products=[sku.product], at=at)
        offers = [offer_for(sku=sku, availability=availability, facts=facts)
                  for availability in page]
        return self.get_paginated_response(self.get_serializer(offers, many=True).data)
