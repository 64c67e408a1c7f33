"""Fixtures the order tests share: an Italian customer and an offer priced in Italy."""

from decimal import Decimal

import pytest

from catalog.tests.factories import market, priced_sku
from customers.tests.factories import CustomerFactory


@pytest.fixture
def italian(owner_partner):
    return CustomerFactory(partner=owner_partner, country="IT")


@pytest.fixture
def offer():
    sku = priced_sku(countries=("IT",), unit_price=Decimal("200"), title="Windows Server 2022")
    return sku.availabilities.get(market=market("IT")).catalog_item_id
