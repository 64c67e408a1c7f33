"""What an order's quote needs to know about one offer in one market, cached per catalogue version.

A quote line needs the offer (its availability, SKU, product and market), the exclusions of the
customer's market that reach the product and the product's price periods there. They change only
when the catalogue does, so they are kept in the cache under the catalogue version of
`catalog.caching`, which every save or delete of a market, product, SKU, availability, price or
exclusion replaces at once and again when its transaction commits (bulk writes call
`catalog_changed` themselves). The periods are judged at the quote's moment, so a price that
starts or ends later needs no invalidation.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache

from .caching import catalog_version
from .models import Availability, Market, MarketExclusion, Price
from .policy import MarketFacts
from .selectors import catalog_item_get, market_get

# The cache fails open (core/cache.py): a new version that could not reach it leaves stale facts
# at most this long.
_FACTS_SECONDS = 300


def _price_is_in_force(price: Price, at: datetime) -> bool:
    # PriceQuerySet.in_force's half-open period [valid_from, valid_to), on a loaded price.
    return price.valid_from <= at and (price.valid_to is None or price.valid_to > at)


@dataclass(frozen=True)
class OfferFacts:
    """One offer as a quote in one market needs it: everything but the moment."""

    market: Market
    availability: Availability
    excluded_families: frozenset[str]
    excluded_product_pks: frozenset[int]
    prices: tuple[tuple[int, Price], ...]  # (SKU pk, price) of the product in the market

    def market_facts(self, *, at: datetime) -> MarketFacts:
        """The policy's facts about the offer's product in the market at the moment."""
        priced = [(sku_pk, price) for sku_pk, price in self.prices if _price_is_in_force(price, at)]
        return MarketFacts(
            market=self.market, at=at, excluded_families=self.excluded_families,
            excluded_product_pks=self.excluded_product_pks,
            priced_sku_pks=frozenset(sku_pk for sku_pk, _price in priced),
            priced_product_pks=frozenset({self.availability.sku.product_id} if priced else ()),
        )

    def price_in_force(self, *, at: datetime) -> Price | None:
        """The offer's own price at the moment, as catalog.selectors.price_in_force finds it."""
        own = [
            price for _sku_pk, price in self.prices
            if price.availability_id == self.availability.pk and _price_is_in_force(price, at)
        ]
        return max(own, key=lambda price: price.valid_from, default=None)


def _facts_load(*, market: Market, catalog_item_id: str) -> OfferFacts:
    availability = catalog_item_get(catalog_item_id=catalog_item_id)
    product = availability.sku.product
    exclusions = list(
        MarketExclusion.objects.applying_to(products=[product], market=market)
        .values_list("family", "product_id")
    )
    prices = Price.objects.filter(
        availability__market=market, availability__sku__product=product
    ).select_related("availability")
    return OfferFacts(
        market=market,
        availability=availability,
        excluded_families=frozenset(family for family, pk in exclusions if pk is None),
        excluded_product_pks=frozenset(pk for _family, pk in exclusions if pk is not None),
        prices=tuple((price.availability.sku_id, price) for price in prices),
    )


def quote_market_get(*, country: str) -> Market:
    """Return the market of a country code, from the cache while the catalogue is unchanged."""
    code = (country or "").strip().upper()
    version = catalog_version() if len(code) == 2 else None
    key = f"portal:quote-market:{version}:{code}"
    market = cache.get(key) if version else None
    if market is None:
        market = market_get(country=country)
        if version:
            cache.set(key, market, _FACTS_SECONDS)
    return market


def offer_facts_get(*, market: Market, catalog_item_id: str) -> OfferFacts:
    """Return what a quote needs about the offer in the market; PortalError for an unknown id."""
    version = catalog_version()
    digest = hashlib.sha256((catalog_item_id or "").encode()).hexdigest()
    key = f"portal:offer-facts:{version}:{market.pk}:{digest}"
    facts = cache.get(key) if version else None
    if facts is None:
        facts = _facts_load(market=market, catalog_item_id=catalog_item_id)
        if version:
            cache.set(key, facts, _FACTS_SECONDS)
    return facts
