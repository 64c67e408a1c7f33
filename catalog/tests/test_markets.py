"""Markets: one per ISO 3166-1 country, real currencies and rates, the source's exclusion table."""

import re
from decimal import Decimal

import pytest
from babel.numbers import is_currency
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django_countries import countries

from catalog.data.reservation_exclusions import UNAVAILABLE_MARKETS
from catalog.models import Market, MarketExclusion, ProductFamily
from tests.seed_source import ENGLISH, seed_text

pytestmark = pytest.mark.django_db


def _source_table_names() -> list[str]:
    text = seed_text(ENGLISH)
    table = text.split("| Unavailable markets |", 1)[1].split("<!--", 1)[0]
    names = []
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().lstrip(">").strip().strip("|").split("|")]
        names += [c for c in cells if c and c != "&nbsp;" and not re.fullmatch(r"-+", c)]
    return names


def test_every_iso_country_is_a_market_kosovo_included():
    codes = set(Market.objects.values_list("country", flat=True))
    assert codes == {country.code for country in countries} | {"XK"}
    assert len(codes) >= 250
    assert str(Market.objects.get(country="XK")) == "Kosovo"


@pytest.mark.parametrize(
    ("code", "currency", "rate"),
    [
        ("IT", "EUR", "22"), ("DE", "EUR", "19"), ("FR", "EUR", "20"), ("ES", "EUR", "21"),
        ("NL", "EUR", "21"), ("GB", "GBP", "20"), ("US", "USD", "0"), ("CA", "CAD", "5"),
        ("JP", "JPY", "10"), ("AU", "AUD", "10"), ("BR", "BRL", "14.25"),
    ],
)
def test_main_markets_have_their_real_currency_and_standard_rate(code, currency, rate):
    market = Market.objects.get(country=code)
    assert (market.currency_code, market.tax_rate_percent) == (currency, Decimal(rate))


def test_prices_include_tax_only_in_australia_and_brazil():
    inclusive = Market.objects.filter(prices_include_tax=True).values_list("country", flat=True)
    assert set(inclusive) == {"AU", "BR"}


def test_every_other_market_has_an_iso_currency_and_a_zero_rate_to_set_in_the_admin():
    others = Market.objects.exclude(
        country__in=["IT", "DE", "FR", "ES", "NL", "GB", "US", "CA", "JP", "AU", "BR"]
    )
    assert others.count() > 230
    for market in others:
        assert is_currency(market.currency_code), market.country.code
        assert market.tax_rate_percent == 0


def test_the_exclusion_table_holds_exactly_the_sources_109_names():
    names = _source_table_names()
    assert len(names) == 109
    assert sorted(names) == sorted(UNAVAILABLE_MARKETS)


def test_the_109_names_are_106_countries_sharing_bq_and_sj():
    assert len(UNAVAILABLE_MARKETS) == 109
    assert len(set(UNAVAILABLE_MARKETS.values())) == 106
    assert {name for name, code in UNAVAILABLE_MARKETS.items() if code == "BQ"} == {
        "Bonaire", "Saba", "Sint Eustatius"
    }
    assert {name for name, code in UNAVAILABLE_MARKETS.items() if code == "SJ"} == {
        "Svalbard", "Jan Mayen"
    }


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Åland Islands", "AX"), ("Kosovo", "XK"), ("Swaziland", "SZ"), ("Congo (DRC)", "CD"),
        ("Congo", "CG"), ("U.S. Outlying Islands", "UM"), ("Saint Martin", "MF"),
        ("Sint Maarten", "SX"), ("St Helena, Ascension, Tristan da Cunha", "SH"),
        ("Micronesia", "FM"), ("Vatican City", "VA"), ("Laos", "LA"), ("Reunion", "RE"),
    ],
)
def test_names_that_differ_from_iso_short_names_are_matched_to_the_right_code(name, code):
    assert UNAVAILABLE_MARKETS[name] == code


@pytest.mark.parametrize("name", sorted(UNAVAILABLE_MARKETS))
def test_each_source_name_is_a_known_country_excluded_from_azure_reservations(name):
    code = UNAVAILABLE_MARKETS[name]
    assert code in countries or code == "XK"
    assert MarketExclusion.objects.filter(
        market_id=code, family=ProductFamily.AZURE_RESERVATION, product__isnull=True
    ).exists()


def test_the_migration_excludes_reservations_from_no_other_market():
    excluded = set(
        MarketExclusion.objects.filter(family=ProductFamily.AZURE_RESERVATION)
        .values_list("market_id", flat=True)
    )
    assert excluded == set(UNAVAILABLE_MARKETS.values())


@pytest.mark.django_db(transaction=True)
def test_a_flush_puts_the_markets_and_exclusions_back_like_contenttypes():
    call_command("flush", interactive=False, verbosity=0)
    assert Market.objects.count() == len({country.code for country in countries} | {"XK"})
    assert MarketExclusion.objects.count() == 106


def test_migrating_again_never_brings_back_an_exclusion_an_operator_removed():
    MarketExclusion.objects.filter(market_id="AD").delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert not MarketExclusion.objects.filter(market_id="AD").exists()
