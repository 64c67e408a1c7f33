"""The starting values of every market; operators change them in the admin afterwards.

Migration 0002 creates one market per country that django-countries knows (Kosovo, XK, through
COUNTRIES_OVERRIDE) with `markets_populate`, so a change here needs a new data migration.
"""

from decimal import Decimal

from babel.numbers import get_territory_currencies
from django_countries import countries

# Standard rates of the tax charged on a business sale of software, in percent.
STANDARD_TAX_RATES_PERCENT: dict[str, Decimal] = {
    "IT": Decimal("22"),  # IVA
    "DE": Decimal("19"),  # Umsatzsteuer
    "FR": Decimal("20"),  # TVA
    "ES": Decimal("21"),  # IVA
    "NL": Decimal("21"),  # btw
    "GB": Decimal("20"),  # VAT
    # No federal sales tax: each state (and many cities) sets its own, so there is no one rate.
    "US": Decimal("0"),
    "CA": Decimal("5"),  # the federal GST; provinces add PST or fold it into HST
    "JP": Decimal("10"),  # consumption tax
    "AU": Decimal("10"),  # GST
    # Brazil has no single VAT: software bears the federal PIS/COFINS (9.25% in the
    # non-cumulative regime) and the municipal ISS (2% to 5%). 14.25% takes the upper ISS rate,
    # the one most large cities charge, as a representative total.
    "BR": Decimal("14.25"),
}
# The source: "All commercial pricing excludes tax with the exception of Australia and Brazil."
PRICES_INCLUDE_TAX = frozenset({"AU", "BR"})
# CLDR names no currency in use for Antarctica; its few buyers pay in US dollars.
FALLBACK_CURRENCY = "USD"


def default_currency(country_code: str) -> str:
    """The first legal-tender currency CLDR (through Babel) gives for the territory."""
    currencies = get_territory_currencies(country_code, tender=True)
    return currencies[0] if currencies else FALLBACK_CURRENCY


def markets_populate(market_model) -> int:
    """Create the markets that do not exist yet; return how many."""
    # The model class is a parameter so that the migration can pass its historical one.
    existing = set(market_model.objects.values_list("country", flat=True))
    created = market_model.objects.bulk_create(
        market_model(
            country=code,
            currency_code=default_currency(code),
            tax_rate_percent=STANDARD_TAX_RATES_PERCENT.get(code, Decimal("0")),
            prices_include_tax=code in PRICES_INCLUDE_TAX,
        )
        for code in sorted({country.code for country in countries} | {"XK"})
        if code not in existing
    )
    return len(created)
