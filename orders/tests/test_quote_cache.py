"""A quote's catalogue facts come from the cache; a catalogue change counts on the next quote."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache

from catalog.caching import VERSION_KEY
from catalog.models import MarketExclusion, Price
from catalog.tests.factories import market, priced_sku
from core.errors import PortalError
from customers.tests.factories import CustomerFactory
from orders.quotes import LineRequest, order_quote


@pytest.fixture
def customer(owner_partner):
    return CustomerFactory(partner=owner_partner, country="IT")


@pytest.fixture
def sku(db):
    return priced_sku(countries=("IT",), unit_price=Decimal("200"), title="Windows Server 2022")


def _quote(customer, sku, at=None):
    offer = sku.availabilities.get(market=market("IT")).catalog_item_id
    return order_quote(customer=customer, lines=[LineRequest(offer_id=offer, quantity=1)], at=at)


def test_a_second_quote_of_an_offer_reads_nothing_from_the_database(
    customer, sku, django_assert_num_queries
):
    lines = [LineRequest(offer_id=sku.availabilities.get().catalog_item_id, quantity=1)]
    order_quote(customer=customer, lines=lines)
    with django_assert_num_queries(0):
        assert order_quote(customer=customer, lines=lines).lines[0].price.unit_price == 200


def test_a_price_change_shows_in_the_next_quote(customer, sku):
    assert _quote(customer, sku).lines[0].price.unit_price == Decimal("200")
    price = Price.objects.get(availability__sku=sku)
    price.unit_price = Decimal("250")
    price.save()
    assert _quote(customer, sku).lines[0].price.unit_price == Decimal("250")


def test_an_exclusion_added_refuses_the_next_quote(customer, sku):
    _quote(customer, sku)
    MarketExclusion.objects.create(market=market("IT"), product=sku.product)
    with pytest.raises(PortalError) as refused:
        _quote(customer, sku)
    assert refused.value.code == "market_unavailable"


def test_a_price_period_is_judged_at_the_quotes_moment_from_the_cache(customer, sku):
    price = Price.objects.get(availability__sku=sku)
    switch = datetime(2030, 1, 1, tzinfo=UTC)
    price.valid_to = switch
    price.save()
    Price.objects.create(availability=price.availability, unit_price=Decimal("300"),
                         currency_code=price.currency_code, valid_from=switch)
    before = _quote(customer, sku, at=switch - timedelta(seconds=1))
    after = _quote(customer, sku, at=switch)
    assert (before.lines[0].price.unit_price, after.lines[0].price.unit_price) == (
        Decimal("200"), Decimal("300"),
    )


def test_facts_read_before_a_price_change_committed_are_not_used_after_it(
    customer, sku, django_capture_on_commit_callbacks
):
    price = Price.objects.get(availability__sku=sku)
    with django_capture_on_commit_callbacks(execute=True):
        price.unit_price = Decimal("260")
        price.save()
        # Until the commit another process still reads 200, and caches it under the new version.
        version = cache.get(VERSION_KEY)
        Price.objects.filter(pk=price.pk).update(unit_price=Decimal("200"))
        _quote(customer, sku)
        assert cache.get(VERSION_KEY) == version
        Price.objects.filter(pk=price.pk).update(unit_price=Decimal("260"))
    assert _quote(customer, sku).lines[0].price.unit_price == Decimal("260")
