"""Reads on markets and the catalogue; the catalogue is shared by every partner."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from core.errors import NotFound, PortalError

from .caching import catalog_cached, market_catalogue_cached
from .data.reservation_exclusions import UNAVAILABLE_MARKETS
from .data.reservation_market_names import UNAVAILABLE_MARKET_NAMES
from .models import (
    AVAILABILITY_ID_PATTERN,
    PRODUCT_ID_PATTERN,
    SKU_ID_PATTERN,
    Availability,
    Market,
    Price,
    Product,
    Sku,
)
from .policy import MarketFacts, Purchasability, market_facts_load, product_purchasability
from .target_views import TargetView

_CATALOG_ITEM_ID = re.compile(
    rf"^({PRODUCT_ID_PATTERN}):({SKU_ID_PATTERN}):({AVAILABILITY_ID_PATTERN})$"
)


def market_get(*, country: str) -> Market:
    """Return the market of an ISO 3166-1 alpha-2 code in either case; else `invalid_country`."""
    code = (country or "").strip().upper()
    market = Market.objects.filter(country=code).first() if len(code) == 2 else None
    if market is None:
        raise PortalError(
            _("“%(country)s” is not a country code the catalogue sells in (ISO 3166-1 alpha-2, "
              "e.g. IT).") % {"country": country},
            code="invalid_country", field="country",
        )
    return market


def market_choices() -> list[tuple[str, str]]:
    """Return (code, name) of every market, sorted by its country's name in the active language."""
    return catalog_cached(key=("market_choices",), load=_market_choices_load)


def _market_choices_load() -> list[tuple[str, str]]:
    codes = set(Market.objects.values_list("country", flat=True))
    # django-countries keeps each language's names sorted; translating and sorting 250 names
    # on every request cost a sixth of the catalogue page.
    return [(code, name) for code, name in countries if code in codes]


def product_list(*, target_view: TargetView | None = None, query: str = "") -> QuerySet[Product]:
    """Return the products of the target view whose title or id matches the query."""
    products = Product.objects.matching(query)
    if target_view is not None:
        products = products.in_families(target_view.families)
    return products


def product_get(*, product_id: str) -> Product:
    """Return the product with this Partner Center id; NotFound for any other."""
    product = Product.objects.filter(product_id=product_id).first()
    if product is None:
        raise NotFound(_("No product has the id %(id)s.") % {"id": product_id})
    return product


def sku_list(*, product: Product) -> QuerySet[Sku]:
    """Return the product's SKUs."""
    return product.skus.select_related("product")


def sku_get(*, product: Product, sku_id: str) -> Sku:
    """Return the product's SKU with this id; NotFound for any other."""
    sku = sku_list(product=product).filter(sku_id=sku_id).first()
    if sku is None:
        raise NotFound(_("Product %(product)s has no SKU %(sku)s.")
                       % {"product": product.product_id, "sku": sku_id})
    return sku


def _prices_in_force(at: datetime) -> Prefetch:
    return Prefetch("prices", queryset=Price.objects.in_force(at), to_attr="prices_in_force")


def availability_list(*, sku: Sku, market: Market, at: datetime) -> QuerySet[Availability]:
    """Return the SKU's availability in the market (none or one), with `prices_in_force` then."""
    return (
        Availability.objects.filter(sku=sku, market=market)
        .select_related("sku__product", "market")
        .prefetch_related(_prices_in_force(at))
    )


def availability_get(
    *, sku: Sku, market: Market, availability_id: str, at: datetime
) -> Availability:
    """Return the SKU's availability in the market with this id; NotFound for any other."""
    availability = availability_list(sku=sku, market=market, at=at).filter(
        availability_id=availability_id
    ).first()
    if availability is None:
        raise NotFound(_("SKU %(sku)s has no availability %(id)s in this market.")
                       % {"sku": sku.sku_id, "id": availability_id})
    return availability


def price_in_force(*, availability: Availability, at: datetime | None = None) -> Price | None:
    """Return the availability's price at the moment: the one period [from, to) containing it."""
    at = at or timezone.now()
    # Periods never overlap (validation, and a constraint on PostgreSQL); the order only makes
    # the answer deterministic should a database without the constraint hold an overlap.
    return availability.prices.in_force(at).order_by("-valid_from").first()


def catalog_item_get(*, catalog_item_id: str) -> Availability:
    """Return the availability a `catalogItemId` ("productId:skuId:availabilityId") names."""
    match = _CATALOG_ITEM_ID.match(catalog_item_id or "")
    availability = None
    if match:
        product_id, sku_id, availability_id = match.groups()
        availability = (
            Availability.objects.select_related("sku__product", "market")
            .filter(sku__product__product_id=product_id, sku__sku_id=sku_id,
                    availability_id=availability_id)
            .first()
        )
    if availability is None:
        raise PortalError(
            _("“%(id)s” is not a catalogue item id (productId:skuId:availabilityId) of the "
              "catalogue.") % {"id": catalog_item_id},
            code="invalid_catalog_item",
        )
    return availability


@dataclass(frozen=True)
class Offer:
    """One SKU as a market sees it: its availability and price there, if any, and the verdict."""

    sku: Sku
    availability: Availability | None
    price: Price | None
    purchasability: Purchasability


@dataclass(frozen=True)
class CatalogueEntry:
    product: Product
    purchasability: Purchasability
    offers: list[Offer]


def offer_for(*, sku: Sku, availability: Availability | None, facts: MarketFacts) -> Offer:
    """Judge one SKU whose availability carries `prices_in_force` for the facts' moment."""
    prices = availability.prices_in_force if availability is not None else []
    return Offer(
        sku=sku, availability=availability,
        price=max(prices, key=lambda price: price.valid_from, default=None),
        purchasability=product_purchasability(
            product=sku.product, market=facts.market, sku=sku, facts=facts
        ),
    )


class Catalogue(list):
    """A market's catalogue entries, with room for what a page rendered from them: kept with the
    cached catalogue, that HTML lives and dies with it (csp_portal.templating.rendered_once)."""

    def __init__(self, entries=()):
        super().__init__(entries)
        self.rendered: dict = {}


def catalogue_for_market(
    *, market: Market, target_view: TargetView | None = None, query: str = "",
    at: datetime | None = None,
) -> Catalogue:
    """Return every product with its SKUs, prices and verdict, as the market's buyers see them."""
    if at is not None:  # a moment asked for: read, not the cache of the present
        return _catalogue_load(market=market, target_view=target_view, query=query, at=at)
    return market_catalogue_cached(
        market=market, filters=(target_view, query),
        load=lambda: _catalogue_load(
            market=market, target_view=target_view, query=query, at=timezone.now()
        ),
    )


def _catalogue_load(
    *, market: Market, target_view: TargetView | None, query: str, at: datetime
) -> Catalogue:
    # A constant number of queries, whatever the size of the catalogue (tests count them).
    in_market = Availability.objects.filter(market=market).prefetch_related(_prices_in_force(at))
    products = list(
        product_list(target_view=target_view, query=query).prefetch_related(
            Prefetch(
                "skus",
                queryset=Sku.objects.order_by("sku_id").prefetch_related(
                    Prefetch("availabilities", queryset=in_market, to_attr="in_market")
                ),
            )
        )
    )
    facts = market_facts_load(market=market, products=products, at=at)
    entries = Catalogue()
    for product in products:
        offers = []
        for sku in product.skus.all():
            offers.append(offer_for(
                sku=sku, availability=next(iter(sku.in_market), None), facts=facts
            ))
        entries.append(CatalogueEntry(
            product=product,
            purchasability=product_purchasability(product=product, market=market, facts=facts),
            offers=offers,
        ))
    return entries



@dataclass(frozen=True)
class UnavailableMarket:
    name: str
    country: str
    is_asked_about: bool


def _sort_key(name: str) -> str:
    """The name without its accents, for an order readers of either language expect."""
    return "".join(
        char for char in unicodedata.normalize("NFKD", name.casefold())
        if not unicodedata.combining(char)
    )


def reservation_unavailable_markets(*, country: str = "") -> list[UnavailableMarket]:
    """Return the source's 109 markets without Azure reservations, as it names them.

    The names are the active language's, sorted in it; `country` marks the names of that market.
    """
    code = country.strip().upper()
    names = [
        UnavailableMarket(name=str(UNAVAILABLE_MARKET_NAMES[english]), country=market,
                          is_asked_about=market == code)
        for english, market in UNAVAILABLE_MARKETS.items()
    ]
    return sorted(names, key=lambda market: _sort_key(market.name))
