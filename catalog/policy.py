"""The one answer to "can this product be bought in this market, and if not, why?".

Browse, the API, and the cart and order service all ask `product_purchasability`; the admin's
validation asks `exclusion_reason`, its first half. Callers that judge many products of one market
load the facts once with `market_facts_load` and pass them along, so the cost does not grow with
the number of products.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Market, MarketExclusion, Price, Product, ProductFamily, Sku

MARKET_UNAVAILABLE = "market_unavailable"
NOT_PRICED_IN_MARKET = "not_priced_in_market"


def _family_unavailable_message(family: str, country: str) -> str:
    # One sentence per family rather than a pasted plural, so translations can agree in number.
    messages = {
        ProductFamily.AZURE_RESERVATION: _("Azure reservations are not available in %(country)s."),
        ProductFamily.SERVER_SUBSCRIPTION: _(
            "Server subscriptions are not available in %(country)s."
        ),
        ProductFamily.PERPETUAL_SOFTWARE: _("Perpetual software is not available in %(country)s."),
        ProductFamily.SOFTWARE_PLAN: _("Software plans are not available in %(country)s."),
    }
    return messages[ProductFamily(family)] % {"country": country}


@dataclass(frozen=True)
class Purchasability:
    is_purchasable: bool
    code: str = ""
    reason: str = ""


PURCHASABLE = Purchasability(is_purchasable=True)


@dataclass(frozen=True)
class MarketFacts:
    """What the policy needs to know about one market at one moment, for a set of products."""

    market: Market
    at: datetime
    excluded_families: frozenset[str]
    excluded_product_pks: frozenset[int]
    priced_sku_pks: frozenset[int]
    priced_product_pks: frozenset[int]


def market_facts_load(
    *, market: Market, products: Iterable[Product], at: datetime | None = None
) -> MarketFacts:
    """Load, in two queries, the exclusions and prices in force that decide for these products."""
    products = list(products)
    at = at or timezone.now()
    excluded_families, excluded_products = set(), set()
    for family, product_pk in MarketExclusion.objects.applying_to(
        products=products, market=market
    ).values_list("family", "product_id"):
        if product_pk is None:
            excluded_families.add(family)
        else:
            excluded_products.add(product_pk)
    priced = list(
        Price.objects.in_force(at)
        .filter(availability__market=market,
                availability__sku__product__in=[product.pk for product in products])
        .values_list("availability__sku_id", "availability__sku__product_id")
    )
    return MarketFacts(
        market=market, at=at, excluded_families=frozenset(excluded_families),
        excluded_product_pks=frozenset(excluded_products),
        priced_sku_pks=frozenset(sku_pk for sku_pk, _product_pk in priced),
        priced_product_pks=frozenset(product_pk for _sku_pk, product_pk in priced),
    )


def _excluded_reason(*, product: Product, market: Market, facts: MarketFacts) -> str:
    if product.family in facts.excluded_families:
        return _family_unavailable_message(product.family, str(market))
    if product.pk in facts.excluded_product_pks:
        return _("%(product)s is not available in %(country)s.") % {
            "product": product.title, "country": market,
        }
    return ""


def product_purchasability(
    *, product: Product, market: Market, at: datetime | None = None, sku: Sku | None = None,
    facts: MarketFacts | None = None,
) -> Purchasability:
    """Whether the product (or one SKU of it) can be bought in the market then, and why not."""
    # An exclusion of its family or of the product wins over any price; otherwise the product needs
    # a price in force in that market (for the SKU, when one is named). `facts`, when given, were
    # loaded for this market, and their moment is the one judged.
    if facts is None:
        facts = market_facts_load(market=market, products=[product], at=at)
    elif facts.market.pk != market.pk:
        raise ValueError("The facts were loaded for another market.")
    reason = _excluded_reason(product=product, market=market, facts=facts)
    if reason:
        return Purchasability(is_purchasable=False, code=MARKET_UNAVAILABLE, reason=reason)
    is_priced = (sku.pk in facts.priced_sku_pks) if sku is not None else (
        product.pk in facts.priced_product_pks
    )
    if not is_priced:
        return Purchasability(
            is_purchasable=False, code=NOT_PRICED_IN_MARKET,
            reason=_("%(product)s has no price in %(country)s.")
            % {"product": product.title, "country": market},
        )
    return PURCHASABLE


def exclusion_reason(*, product: Product, market: Market) -> str:
    """Why the product may not be offered in the market at all (empty when it may)."""
    facts = market_facts_load(market=market, products=[product])
    return _excluded_reason(product=product, market=market, facts=facts)
