"""The demo catalogue that seed_demo adds."""

import hashlib
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage

from catalog.models import Availability, Price, Product, ProductFamily, SoftwareVariant
from catalog.policy import product_purchasability
from catalog.tests.factories import market
from demo.catalog import DEMO_PRODUCTS, demo_catalog_seed

pytestmark = pytest.mark.django_db

DEMO_MARKETS = {"IT", "DE", "US", "GB", "AU", "BR"}


def test_seeding_twice_changes_nothing():
    first = demo_catalog_seed()
    ids = sorted(Availability.objects.values_list("availability_id", flat=True))
    variants = sorted(SoftwareVariant.objects.values_list("file", "sha256"))
    assert demo_catalog_seed() == first
    assert sorted(Availability.objects.values_list("availability_id", flat=True)) == ids
    assert sorted(SoftwareVariant.objects.values_list("file", "sha256")) == variants
    assert Product.objects.count() == len(DEMO_PRODUCTS)


def test_every_demo_sku_is_priced_in_the_main_markets_in_their_currency():
    demo_catalog_seed()
    for availability in Availability.objects.select_related("market", "sku__product"):
        assert availability.prices.get().currency_code == availability.market.currency_code
    priced = set(Availability.objects.values_list("market_id", flat=True))
    assert priced >= DEMO_MARKETS


def test_australian_and_brazilian_demo_prices_carry_their_tax():
    demo_catalog_seed()
    price = {
        code: Price.objects.get(availability__sku__product__product_id="DG7GMGF0DVT0",
                                availability__market_id=code).unit_price
        for code in ("US", "AU", "BR")
    }
    assert price["US"] == Decimal("1069")
    assert price["AU"] == (Decimal("1069") * Decimal("1.52") * Decimal("1.10")).quantize(
        Decimal("0.01"))
    assert price["BR"] == (Decimal("1069") * 5 * Decimal("1.1425")).quantize(Decimal("0.01"))


def test_demo_reservations_sell_in_italy_but_not_in_greenland():
    demo_catalog_seed()
    reservation = Product.objects.get(family=ProductFamily.AZURE_RESERVATION)
    assert product_purchasability(product=reservation, market=market("IT")).is_purchasable
    assert not product_purchasability(product=reservation, market=market("GL")).is_purchasable


def test_linux_plans_are_not_cancellable_and_server_software_issues_keys():
    demo_catalog_seed()
    for product in Product.objects.all():
        is_plan = product.family == ProductFamily.SOFTWARE_PLAN
        assert product.is_cancellable is not is_plan
        assert product.issues_keys is product.title.startswith(("Windows Server", "SQL Server"))


def test_server_software_has_two_versions_languages_and_file_types_of_small_stored_files():
    demo_catalog_seed()
    downloadable = Product.objects.filter(issues_keys=True)
    assert downloadable.count() == 8
    for product in downloadable:
        variants = list(product.variants.all())
        assert len(variants) == 8
        assert len({v.version for v in variants}) == 2
        assert {v.language for v in variants} == {"en-US", "it-IT"}
        assert len({v.file_type for v in variants}) == 2
    for variant in SoftwareVariant.objects.all():
        with default_storage.open(variant.file.name, "rb") as stored:
            content = stored.read()
        assert len(content) == variant.size_bytes <= 8192
        assert hashlib.sha256(content).hexdigest() == variant.sha256
