from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import factory

from catalog.models import (
    Availability,
    Billing,
    Market,
    MarketExclusion,
    Price,
    Product,
    ProductFamily,
    Sku,
    Term,
    is_never_cancellable,
)

SINCE_2025 = datetime(2025, 1, 1, tzinfo=UTC)


def market(code: str) -> Market:
    """A market the data migration created."""
    return Market.objects.get(country=code)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    product_id = factory.Sequence(lambda n: f"TESTPROD{n:04d}")
    title = factory.Sequence(lambda n: f"Test product {n}")
    family = ProductFamily.PERPETUAL_SOFTWARE
    publisher = "Microsoft Corporation"
    is_cancellable = factory.LazyAttribute(
        lambda product: not is_never_cancellable(
            family=product.family, publisher=product.publisher
        )
    )


class SkuFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sku

    product = factory.SubFactory(ProductFactory)
    sku_id = "0001"
    title = factory.LazyAttribute(lambda sku: f"{sku.product.title} SKU {sku.sku_id}")
    term = Term.NONE
    billing = Billing.ONE_TIME


class AvailabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Availability

    sku = factory.SubFactory(SkuFactory)
    market = factory.LazyFunction(lambda: market("IT"))


class PriceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Price

    availability = factory.SubFactory(AvailabilityFactory)
    unit_price = Decimal("100.0000")
    currency_code = factory.LazyAttribute(lambda price: price.availability.market.currency_code)
    valid_from = SINCE_2025
    valid_to = None


class MarketExclusionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MarketExclusion

    market = factory.LazyFunction(lambda: market("IT"))
    family = ""
    product = None


def priced_sku(
    *, countries: tuple[str, ...] = ("IT",), unit_price: Decimal = Decimal("100"), **product
) -> Sku:
    """A product with one SKU priced since 2025 in each of the countries."""
    sku = SkuFactory(product=ProductFactory(**product))
    for code in countries:
        PriceFactory(availability=AvailabilityFactory(sku=sku, market=market(code)),
                     unit_price=unit_price)
    return sku


def shared_sku() -> Sku:
    """The catalogue SKU the route matrix visits; every partner shares it (created on demand)."""
    product, _ = Product.objects.get_or_create(
        product_id="MATRIX000001",
        defaults={"title": "Route matrix product", "family": ProductFamily.PERPETUAL_SOFTWARE},
    )
    sku, _ = Sku.objects.get_or_create(
        product=product, sku_id="0001",
        defaults={"title": "Route matrix SKU", "billing": Billing.ONE_TIME},
    )
    return sku
