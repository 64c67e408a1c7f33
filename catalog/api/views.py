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
    "targetView", str,
    enum=[*TargetView.values, "AzureReservationsVM", "AzureReservationsSQL",
          "AzureReservationsCosmosDb"],
    description="A slice of the catalogue: " + ", ".join(TargetView.values) + ", in any casing; "
    "Partner Center's AzureReservationsVM, ...SQL and ...CosmosDb mean AzureReservations. Every "
    "product when absent.",
)


def _query(request) -> dict:
    data = CatalogueQueryInput(data=request.query_params)
    data.is_valid(raise_exception=True)
    return {"market": selectors.market_get(country=data.validated_data["country"]),
            "target_view": TargetView(data.validated_data["targetView"])
            if "targetView" in data.validated_data else None}


class CatalogueApi:
    """A catalogue read in one market: `country` here, the customer's market in orders/api."""

    required_action = Action.BUY_SOFTWARE

    def catalogue_query(self, request, **kwargs) -> dict:
        """The market and slice asked for."""
        return _query(request)

    def get_serializer_context(self) -> dict:
        return {"request": self.request, "country": self.market.country.code}

    def market_of(self, request, **kwargs):
        """The market asked for, kept for the links the answer carries."""
        self.query = self.catalogue_query(request, **kwargs)
        self.market = self.query["market"]
        return self.market


class ProductListApi(CatalogueApi, ListAPIView):
    serializer_class = ProductOutput
    ordering = "product_id"

    @extend_schema(parameters=[COUNTRY, TARGET_VIEW], summary="Products, as a market sees them")
    def get(self, request, **kwargs):
        market = self.market_of(request, **kwargs)
        page = self.paginate_queryset(
            selectors.product_list(target_view=self.query["target_view"])
        )
        facts = market_facts_load(market=market, products=page)
        entries = [
            CatalogueEntry(product=product, offers=[], purchasability=product_purchasability(
                product=product, market=market, facts=facts))
            for product in page
        ]
        return self.get_paginated_response(self.get_serializer(entries, many=True).data)


class ProductGetApi(CatalogueApi, APIView):
    @extend_schema(parameters=[COUNTRY], responses=ProductOutput,
                   summary="One product, as a market sees it")
    def get(self, request, product_id: str, **kwargs):
        market = self.market_of(request, **kwargs)
        product = selectors.product_get(product_id=product_id)
        entry = CatalogueEntry(product=product, offers=[], purchasability=product_purchasability(
            product=product, market=market))
        return Response(ProductOutput(entry, context=self.get_serializer_context()).data)


class SkuListApi(CatalogueApi, ListAPIView):
    serializer_class = SkuOutput
    ordering = "sku_id"

    @extend_schema(parameters=[COUNTRY], summary="A product's SKUs in a market")
    def get(self, request, product_id: str, **kwargs):
        market = self.market_of(request, **kwargs)
        product = selectors.product_get(product_id=product_id)
        page = self.paginate_queryset(selectors.sku_list(product=product))
        facts = market_facts_load(market=market, products=[product])
        offers = [
            offer_for(sku=sku, availability=None, facts=facts) for sku in page
        ]
        return self.get_paginated_response(self.get_serializer(offers, many=True).data)


class SkuGetApi(CatalogueApi, APIView):
    @extend_schema(parameters=[COUNTRY], responses=SkuOutput,
                   summary="One SKU of a product, as a market sees it")
    def get(self, request, product_id: str, sku_id: str, **kwargs):
        market = self.market_of(request, **kwargs)
        sku = selectors.sku_get(product=selectors.product_get(product_id=product_id), sku_id=sku_id)
        facts = market_facts_load(market=market, products=[sku.product])
        offer = offer_for(sku=sku, availability=None, facts=facts)
        return Response(SkuOutput(offer, context=self.get_serializer_context()).data)


class AvailabilityListApi(CatalogueApi, ListAPIView):
    serializer_class = AvailabilityOutput
    ordering = "availability_id"

    @extend_schema(parameters=[COUNTRY],
                   summary="A SKU's availability and price in a market")
    def get(self, request, product_id: str, sku_id: str, **kwargs):
        market = self.market_of(request, **kwargs)
        sku = selectors.sku_get(product=selectors.product_get(product_id=product_id), sku_id=sku_id)
        at = timezone.now()
        page = self.paginate_queryset(selectors.availability_list(sku=sku, market=market, at=at))
        facts = market_facts_load(market=market, products=[sku.product], at=at)
        offers = [offer_for(sku=sku, availability=availability, facts=facts)
                  for availability in page]
        return self.get_paginated_response(self.get_serializer(offers, many=True).data)


class AvailabilityGetApi(CatalogueApi, APIView):
    @extend_schema(parameters=[COUNTRY], responses=AvailabilityOutput,
                   summary="One availability of a SKU, with its price, in a market")
    def get(self, request, product_id: str, sku_id: str, availability_id: str, **kwargs):
        market = self.market_of(request, **kwargs)
        sku = selectors.sku_get(product=selectors.product_get(product_id=product_id), sku_id=sku_id)
        at = timezone.now()
        availability = selectors.availability_get(
            sku=sku, market=market, availability_id=availability_id, at=at
        )
        facts = market_facts_load(market=market, products=[sku.product], at=at)
        offer = offer_for(sku=sku, availability=availability, facts=facts)
        return Response(AvailabilityOutput(offer, context=self.get_serializer_context()).data)
