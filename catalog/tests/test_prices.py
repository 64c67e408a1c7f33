"""Prices per market over half-open periods, the catalogue's ids, and the rules rows keep."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from catalog.models import Billing, MarketExclusion, Price, Product, ProductFamily, Term
from catalog.selectors import catalog_item_get, price_in_force
from core.error_responses import status_of
from core.errors import PortalError

from .factories import (
    AvailabilityFactory,
    MarketExclusionFactory,
    PriceFactory,
    ProductFactory,
    SkuFactory,
    market,
)

pytestmark = pytest.mark.django_db

JAN = datetime(2025, 1, 1, tzinfo=UTC)
FEB = datetime(2025, 2, 1, tzinfo=UTC)
MAR = datetime(2025, 3, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


@pytest.fixture
def availability():
    return AvailabilityFactory()


@pytest.fixture
def january_then_march(availability):
    """100 over [Jan, Feb), nothing in February, 120 from March until further notice."""
    PriceFactory(availability=availability, unit_price=Decimal("100"), valid_from=JAN,
                 valid_to=FEB)
    PriceFactory(availability=availability, unit_price=Decimal("120"), valid_from=MAR)
    return availability


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (JAN - MICROSECOND, None),
        (JAN, Decimal("100")),
        (FEB - MICROSECOND, Decimal("100")),
        (FEB, None),  # valid_to is exclusive
        (MAR - MICROSECOND, None),
        (MAR, Decimal("120")),
        (datetime(2031, 6, 1, tzinfo=UTC), Decimal("120")),
    ],
)
def test_the_price_in_force_at_a_moment_is_the_one_whose_half_open_period_holds_it(
    january_then_march, moment, expected
):
    price = price_in_force(availability=january_then_march, at=moment)
    assert (price.unit_price if price else None) == expected


def test_a_new_period_may_start_exactly_when_the_previous_one_ends(availability):
    PriceFactory(availability=availability, valid_from=JAN, valid_to=FEB)
    follower = Price(availability=availability, unit_price=Decimal("90"), currency_code="EUR",
                     valid_from=FEB)
    follower.full_clean()
    follower.save()
    assert price_in_force(availability=availability, at=FEB) == follower


@pytest.mark.parametrize(
    ("valid_from", "valid_to"),
    [(JAN - timedelta(days=1), JAN + MICROSECOND), (FEB - MICROSECOND, None), (JAN, FEB),
     (JAN + timedelta(days=3), JAN + timedelta(days=4))],
)
def test_validation_refuses_a_period_overlapping_a_stored_one(availability, valid_from, valid_to):
    PriceFactory(availability=availability, valid_from=JAN, valid_to=FEB)
    overlapping = Price(availability=availability, unit_price=Decimal("1"), currency_code="EUR",
                        valid_from=valid_from, valid_to=valid_to)
    with pytest.raises(ValidationError, match="overlaps"):
        overlapping.full_clean()


def test_validation_refuses_any_period_after_one_open_ended(availability):
    PriceFactory(availability=availability, valid_from=JAN)
    later = Price(availability=availability, unit_price=Decimal("1"), currency_code="EUR",
                  valid_from=MAR, valid_to=MAR + timedelta(days=1))
    with pytest.raises(ValidationError, match="overlaps"):
        later.full_clean()


@pytest.mark.postgres_only("the exclusion constraint is PostgreSQL's")
def test_postgresql_itself_refuses_overlapping_periods(availability):
    PriceFactory(availability=availability, valid_from=JAN, valid_to=MAR)
    with pytest.raises(IntegrityError), transaction.atomic():
        PriceFactory(availability=availability, valid_from=FEB)
    PriceFactory(availability=availability, valid_from=MAR)  # adjacent is fine
    PriceFactory(availability=AvailabilityFactory(sku=availability.sku, market=market("DE")),
                 valid_from=FEB)  # another availability's periods are its own


def test_a_period_must_end_after_it_starts(availability):
    with pytest.raises(IntegrityError), transaction.atomic():
        PriceFactory(availability=availability, valid_from=FEB, valid_to=FEB)


def test_an_unknown_currency_code_is_refused(availability):
    price = Price(availability=availability, unit_price=Decimal("1"), currency_code="EUX",
                  valid_from=JAN)
    with pytest.raises(ValidationError, match="ISO 4217"):
        price.full_clean()


def test_catalog_item_id_joins_product_sku_and_availability_ids_and_parses_back():
    sku = SkuFactory(product=ProductFactory(product_id="DG7GMGF0DVT0"), sku_id="0002")
    availability = AvailabilityFactory(sku=sku, availability_id="DZH318Z0BQ3Q")
    assert availability.catalog_item_id == "DG7GMGF0DVT0:0002:DZH318Z0BQ3Q"
    assert catalog_item_get(catalog_item_id="DG7GMGF0DVT0:0002:DZH318Z0BQ3Q") == availability


@pytest.mark.parametrize(
    "catalog_item_id",
    ["", "DG7GMGF0DVT0", "DG7GMGF0DVT0:0002", "DG7GMGF0DVT0:0002:DZH318Z0BQ3Q:X",
     "dg7gmgf0dvt0:0002:DZH318Z0BQ3Q", "DG7GMGF0DVT0:0003:DZH318Z0BQ3Q",
     "DG7GMGF0DVT0:0002:DZH318Z0BQ3R", "../../etc:0002:DZH318Z0BQ3Q"],
)
def test_a_malformed_or_unknown_catalog_item_id_is_an_invalid_catalog_item(catalog_item_id):
    sku = SkuFactory(product=ProductFactory(product_id="DG7GMGF0DVT0"), sku_id="0002")
    AvailabilityFactory(sku=sku, availability_id="DZH318Z0BQ3Q")
    with pytest.raises(PortalError) as caught:
        catalog_item_get(catalog_item_id=catalog_item_id)
    assert (caught.value.code, status_of(caught.value)) == ("invalid_catalog_item", 400)


def test_a_skus_quantities_need_one_at_least_and_a_maximum_not_below_the_minimum():
    product = ProductFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SkuFactory(product=product, min_quantity=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        SkuFactory(product=product, min_quantity=5, max_quantity=4)
    SkuFactory(product=product, min_quantity=5, max_quantity=5)


def test_a_subscription_sku_needs_a_term():
    with pytest.raises(IntegrityError), transaction.atomic():
        SkuFactory(billing=Billing.SUBSCRIPTION, term=Term.NONE)
    SkuFactory(billing=Billing.SUBSCRIPTION, term=Term.THREE_YEARS)


def test_an_exclusion_names_a_family_or_a_product_never_both_nor_neither():
    product = ProductFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        MarketExclusion.objects.create(market=market("IT"))
    with pytest.raises(IntegrityError), transaction.atomic():
        MarketExclusion.objects.create(
            market=market("IT"), family=ProductFamily.SOFTWARE_PLAN, product=product
        )
    MarketExclusionFactory(market=market("IT"), product=product)


def test_cancellation_is_a_sixty_day_window_by_default_and_data_per_product():
    default = ProductFactory()
    thirty = ProductFactory(cancellation_window_days=30)
    plan = ProductFactory(family=ProductFamily.SOFTWARE_PLAN, is_cancellable=False)
    assert (default.cancellation_policy.is_cancellable,
            default.cancellation_policy.window_days) == (True, 60)
    assert thirty.cancellation_policy.window_days == 30
    assert (plan.cancellation_policy.is_cancellable, plan.cancellation_policy.window_days) == (
        False, None
    )


def test_the_database_refuses_a_cancellable_suse_plan_whoever_writes_it():
    plan = ProductFactory(family=ProductFamily.SOFTWARE_PLAN, publisher="SUSE")
    assert plan.is_cancellable is False
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=plan.pk).update(is_cancellable=True)
    red_hat = ProductFactory(family=ProductFamily.PERPETUAL_SOFTWARE, publisher="Red Hat")
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=red_hat.pk).update(is_cancellable=True)
    assert not Product.objects.filter(pk__in=[plan.pk, red_hat.pk], is_cancellable=True).exists()
