"""The one policy: can this product be bought in this market, and if not, why."""

from datetime import UTC, datetime

import pytest

from catalog.data.reservation_exclusions import UNAVAILABLE_MARKETS
from catalog.models import ProductFamily
from catalog.policy import (
    MARKET_UNAVAILABLE,
    NOT_PRICED_IN_MARKET,
    market_facts_load,
    product_purchasability,
)

from .factories import MarketExclusionFactory, PriceFactory, SkuFactory, market, priced_sku

pytestmark = pytest.mark.django_db

OTHER_FAMILIES = [f for f in ProductFamily if f != ProductFamily.AZURE_RESERVATION]


def _reservation_priced_in(code: str):
    # Priced in the market, so only an exclusion can refuse it there.
    return priced_sku(
        countries=(code,), family=ProductFamily.AZURE_RESERVATION, title="Reserved VM instances"
    ).product


@pytest.mark.parametrize("name", sorted(UNAVAILABLE_MARKETS))
def test_azure_reservations_are_unavailable_in_every_market_of_the_sources_table(name):
    where = market(UNAVAILABLE_MARKETS[name])
    reservation = _reservation_priced_in(where.country.code)
    verdict = product_purchasability(product=reservation, market=where)
    assert not verdict.is_purchasable
    assert verdict.code == MARKET_UNAVAILABLE
    assert verdict.reason == f"Azure reservations are not available in {where.country.name}."


@pytest.mark.parametrize("code", ["IT", "US", "AU", "BR"])
def test_azure_reservations_are_available_in_italy_the_us_australia_and_brazil(code):
    verdict = product_purchasability(product=_reservation_priced_in(code), market=market(code))
    assert verdict.is_purchasable
    assert (verdict.code, verdict.reason) == ("", "")


@pytest.mark.parametrize("name", sorted(UNAVAILABLE_MARKETS))
def test_other_families_stay_available_in_the_markets_without_reservations(name):
    code = UNAVAILABLE_MARKETS[name]
    for family in OTHER_FAMILIES:
        product = priced_sku(countries=(code,), family=family).product
        assert product_purchasability(product=product, market=market(code)).is_purchasable, family


def test_another_family_excluded_in_a_market_is_unavailable_there_with_its_own_reason():
    MarketExclusionFactory(market=market("FR"), family=ProductFamily.SOFTWARE_PLAN)
    plan = priced_sku(countries=("FR", "IT"), family=ProductFamily.SOFTWARE_PLAN).product
    perpetual = priced_sku(countries=("FR",), family=ProductFamily.PERPETUAL_SOFTWARE).product

    verdict = product_purchasability(product=plan, market=market("FR"))
    assert (verdict.code, verdict.reason) == (
        MARKET_UNAVAILABLE, "Software plans are not available in France."
    )
    assert product_purchasability(product=plan, market=market("IT")).is_purchasable
    assert product_purchasability(product=perpetual, market=market("FR")).is_purchasable


def test_a_single_product_can_be_excluded_from_a_market_without_its_family():
    excluded = priced_sku(countries=("DE", "IT"), title="Contoso Backup").product
    sibling = priced_sku(countries=("DE",), title="Contoso Archive").product
    MarketExclusionFactory(market=market("DE"), product=excluded)

    verdict = product_purchasability(product=excluded, market=market("DE"))
    assert (verdict.is_purchasable, verdict.code) == (False, MARKET_UNAVAILABLE)
    assert verdict.reason == "Contoso Backup is not available in Germany."
    assert product_purchasability(product=excluded, market=market("IT")).is_purchasable
    assert product_purchasability(product=sibling, market=market("DE")).is_purchasable


def test_a_product_without_a_price_in_the_market_is_unavailable_for_that_reason():
    product = priced_sku(countries=("IT",), title="Contoso Backup").product
    verdict = product_purchasability(product=product, market=market("DE"))
    assert (verdict.is_purchasable, verdict.code) == (False, NOT_PRICED_IN_MARKET)
    assert verdict.reason == "Contoso Backup has no price in Germany."


def test_a_price_not_yet_or_no_longer_in_force_does_not_make_a_product_purchasable():
    price = PriceFactory(valid_from=datetime(2025, 1, 1, tzinfo=UTC),
                         valid_to=datetime(2025, 7, 1, tzinfo=UTC))
    product, italy = price.availability.sku.product, market("IT")

    def verdict_at(*args):
        return product_purchasability(product=product, market=italy, at=datetime(*args, tzinfo=UTC))

    assert verdict_at(2024, 12, 31).code == NOT_PRICED_IN_MARKET
    assert verdict_at(2025, 3, 1).is_purchasable
    assert verdict_at(2025, 7, 1).code == NOT_PRICED_IN_MARKET


def test_each_sku_is_judged_on_its_own_price():
    priced = priced_sku(countries=("IT",))
    unpriced = SkuFactory(product=priced.product, sku_id="0002")
    italy = market("IT")
    assert product_purchasability(product=priced.product, market=italy, sku=priced).is_purchasable
    verdict = product_purchasability(product=priced.product, market=italy, sku=unpriced)
    assert verdict.code == NOT_PRICED_IN_MARKET


def test_an_exclusion_wins_over_a_price_in_force():
    product = priced_sku(countries=("GL",), family=ProductFamily.AZURE_RESERVATION).product
    assert product_purchasability(product=product, market=market("GL")).code == MARKET_UNAVAILABLE


def test_facts_loaded_once_judge_many_products_without_more_queries(django_assert_num_queries):
    products = [priced_sku(countries=("IT",)).product for _ in range(5)]
    facts = market_facts_load(market=market("IT"), products=products)
    with django_assert_num_queries(0):
        verdicts = [product_purchasability(product=p, market=facts.market, facts=facts)
                    for p in products]
    assert all(verdict.is_purchasable for verdict in verdicts)


def test_facts_of_another_market_are_refused():
    product = priced_sku(countries=("IT",)).product
    facts = market_facts_load(market=market("IT"), products=[product])
    with pytest.raises(ValueError, match="another market"):
        product_purchasability(product=product, market=market("DE"), facts=facts)
