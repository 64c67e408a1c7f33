"""The demo catalogue that `seed_demo` adds: Windows Server, SQL Server, Azure reserved VM
instances and Linux plans, priced in eleven markets, with small generated download files."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from catalog.caching import catalog_changed
from catalog.models import Availability, Billing, Market, Price, Product, ProductFamily, Sku, Term
from catalog.services import software_variant_store

PRICES_VALID_FROM = datetime(2025, 1, 1, tzinfo=UTC)
# Demo list prices are set in US dollars and converted at these rounded rates; markets whose
# prices include tax (AU, BR) get their tax added on top, as their partners would see them.
DEMO_EXCHANGE_RATES = {
    "IT": Decimal("0.92"), "DE": Decimal("0.92"), "FR": Decimal("0.92"), "ES": Decimal("0.92"),
    "NL": Decimal("0.92"), "GB": Decimal("0.79"), "US": Decimal("1"), "CA": Decimal("1.37"),
    "JP": Decimal("150"), "AU": Decimal("1.52"), "BR": Decimal("5.00"),
}
_ZERO_DECIMAL_CURRENCIES = {"JPY"}
DEMO_VERSIONS = {"Windows Server": ("2022", "2019"), "SQL Server": ("2022", "2019")}
DEMO_LANGUAGES = ("en-US", "it-IT")
DEMO_FILE_TYPES = {
    "Windows Server": (("ISO (x64)", "iso"), ("VHDX", "vhdx")),
    "SQL Server": (("ISO (x64)", "iso"), ("EXE (x64)", "exe")),
}
DEMO_FILE_BYTES = 4096


@dataclass(frozen=True)
class DemoSku:
    sku_id: str
    title: str
    term: Term
    billing: Billing
    usd: Decimal


@dataclass(frozen=True)
class DemoProduct:
    product_id: str
    title: str
    family: ProductFamily
    description: str
    skus: tuple[DemoSku, ...]
    line: str = ""  # "Windows Server" / "SQL Server": the products with downloads and keys
    publisher: str = "Microsoft Corporation"
    is_cancellable: bool = True


def _perpetual(title: str, usd: str) -> tuple[DemoSku, ...]:
    return (DemoSku("0001", title, Term.NONE, Billing.ONE_TIME, Decimal(usd)),)


def _yearly(title: str, one_year: str, three_years: str, billing: Billing) -> tuple[DemoSku, ...]:
    return (
        DemoSku("0001", f"{title}, 1 year", Term.ONE_YEAR, billing, Decimal(one_year)),
        DemoSku("0002", f"{title}, 3 years", Term.THREE_YEARS, billing, Decimal(three_years)),
    )


_SUB = Billing.SUBSCRIPTION
_WS, _SQL = "Windows Server", "SQL Server"
DEMO_PRODUCTS = (
    DemoProduct("DG7GMGF0DVT0", "Windows Server 2022 Standard", ProductFamily.PERPETUAL_SOFTWARE,
                "Perpetual licence for physical or minimally virtualised environments.",
                _perpetual("Windows Server 2022 Standard - 16 Core License Pack", "1069"), _WS),
    DemoProduct("DG7GMGF0DVSZ", "Windows Server 2022 Datacenter",
                ProductFamily.PERPETUAL_SOFTWARE,
                "Perpetual licence for highly virtualised datacenters and clouds.",
                _perpetual("Windows Server 2022 Datacenter - 16 Core License Pack", "6155"), _WS),
    DemoProduct("DG7GMGF0D65N", "Windows Server 2022 Standard subscription",
                ProductFamily.SERVER_SUBSCRIPTION,
                "Windows Server 2022 Standard for a term, with the right to run earlier versions.",
                _yearly("Windows Server 2022 Standard - 16 Core", "296", "888", _SUB), _WS),
    DemoProduct("DG7GMGF0D5RH", "Windows Server 2022 Datacenter subscription",
                ProductFamily.SERVER_SUBSCRIPTION,
                "Windows Server 2022 Datacenter for a term, with the right to run earlier "
                "versions.",
                _yearly("Windows Server 2022 Datacenter - 16 Core", "1700", "5100", _SUB), _WS),
    DemoProduct("DG7GMGF0FLR2", "SQL Server 2022 Standard", ProductFamily.PERPETUAL_SOFTWARE,
                "Perpetual core-based licence of SQL Server 2022 Standard.",
                _perpetual("SQL Server 2022 Standard - 2 Core License Pack", "3945"), _SQL),
    DemoProduct("DG7GMGF0FKZV", "SQL Server 2022 Enterprise", ProductFamily.PERPETUAL_SOFTWARE,
                "Perpetual core-based licence of SQL Server 2022 Enterprise.",
                _perpetual("SQL Server 2022 Enterprise - 2 Core License Pack", "15123"), _SQL),
    DemoProduct("DG7GMGF0FMH4", "SQL Server 2022 Standard subscription",
                ProductFamily.SERVER_SUBSCRIPTION,
                "SQL Server 2022 Standard, core-based, for a term.",
                _yearly("SQL Server 2022 Standard - 2 Core", "1418", "4254", _SUB), _SQL),
    DemoProduct("DG7GMGF0FM1F", "SQL Server 2022 Enterprise subscription",
                ProductFamily.SERVER_SUBSCRIPTION,
                "SQL Server 2022 Enterprise, core-based, for a term.",
                _yearly("SQL Server 2022 Enterprise - 2 Core", "5434", "16302", _SUB), _SQL),
    DemoProduct("DZH318Z0BQ4L", "Azure reserved VM instances, Dv5 series",
                ProductFamily.AZURE_RESERVATION,
                "Reserved capacity for Dv5-series virtual machines, paid up front for the term.",
                _yearly("Standard_D2s_v5, West Europe", "620", "1190", Billing.ONE_TIME)),
    DemoProduct("DZH318Z0BQ3T", "SUSE Linux Enterprise Server plan",
                ProductFamily.SOFTWARE_PLAN,
                "Prepaid SUSE Linux Enterprise Server software charges for Azure virtual "
                "machines. Cannot be cancelled or exchanged.",
                _yearly("SLES, 1-2 vCPU virtual machines", "79", "199", Billing.ONE_TIME),
                publisher="SUSE", is_cancellable=False),
    DemoProduct("DZH318Z0BQ5N", "Red Hat Enterprise Linux plan", ProductFamily.SOFTWARE_PLAN,
                "Prepaid Red Hat Enterprise Linux software charges for Azure virtual machines. "
                "Cannot be cancelled or exchanged.",
                _yearly("RHEL, 1-4 vCPU virtual machines", "438", "1180", Billing.ONE_TIME),
                publisher="Red Hat", is_cancellable=False),
)


def demo_price(*, usd: Decimal, market: Market) -> Decimal:
    """The demo price in the market's currency, tax added where prices include it."""
    amount = usd * DEMO_EXCHANGE_RATES[market.country.code]
    if market.prices_include_tax:
        amount *= 1 + market.tax_rate_percent / 100
    step = Decimal("1") if market.currency_code in _ZERO_DECIMAL_CURRENCIES else Decimal("0.01")
    return amount.quantize(step, rounding=ROUND_HALF_UP)


def demo_availability_id(*, product_id: str, sku_id: str, country: str) -> str:
    """A stable id, so re-seeding keeps every catalogItemId that orders may already name."""
    digest = hashlib.sha256(f"{product_id}:{sku_id}:{country}".encode()).digest()
    return base64.b32encode(digest).decode()[:12]


def demo_file_content(*, label: str) -> bytes:
    """A few KB of deterministic bytes: a readable header, then a SHAKE-256 stream."""
    header = f"CSP Partner Portal demo download: {label}\n".encode()
    return header + hashlib.shake_256(label.encode()).digest(DEMO_FILE_BYTES - len(header))


@transaction.atomic
def demo_catalog_seed() -> dict[str, int]:
    """Create or refresh the demo catalogue; return how many of each thing it holds."""
    markets = {market.country.code: market
               for market in Market.objects.filter(country__in=list(DEMO_EXCHANGE_RATES))}
    counts = {"products": 0, "skus": 0, "prices": 0, "variants": 0}
    for spec in DEMO_PRODUCTS:
        product, _ = Product.objects.update_or_create(
            product_id=spec.product_id,
            defaults={"title": spec.title, "publisher": spec.publisher, "family": spec.family,
                      "description": spec.description, "issues_keys": bool(spec.line),
                      "is_cancellable": spec.is_cancellable},
        )
        counts["products"] += 1
        for sku_spec in spec.skus:
            sku, _ = Sku.objects.update_or_create(
                product=product, sku_id=sku_spec.sku_id,
                defaults={"title": sku_spec.title, "term": sku_spec.term,
                          "billing": sku_spec.billing},
            )
            counts["skus"] += 1
            counts["prices"] += _seed_prices(sku=sku, usd=sku_spec.usd, markets=markets)
        counts["variants"] += _seed_variants(product=product, line=spec.line)
    return counts


def _seed_prices(*, sku: Sku, usd: Decimal, markets: dict[str, Market]) -> int:
    """Give the SKU an availability and a price from PRICES_VALID_FROM in each market, in bulk."""
    existing = set(sku.availabilities.values_list("market_id", flat=True))
    Availability.objects.bulk_create(
        Availability(sku=sku, market=market, availability_id=demo_availability_id(
            product_id=sku.product.product_id, sku_id=sku.sku_id, country=code))
        for code, market in markets.items() if code not in existing
    )
    availabilities = sku.availabilities.filter(market__in=list(markets.values()))
    prices = {price.availability_id: price for price in Price.objects.filter(
        availability__in=availabilities, valid_from=PRICES_VALID_FROM)}
    new, changed = [], []
    for availability in availabilities:
        market = markets[availability.market_id]
        unit_price = demo_price(usd=usd, market=market)
        price = prices.get(availability.pk)
        if price is None:
            new.append(Price(availability=availability, unit_price=unit_price,
                             currency_code=market.currency_code, valid_from=PRICES_VALID_FROM))
        elif (price.unit_price, price.currency_code) != (unit_price, market.currency_code):
            price.unit_price, price.currency_code = unit_price, market.currency_code
            changed.append(price)
    Price.objects.bulk_create(new)
    Price.objects.bulk_update(changed, ["unit_price", "currency_code"])
    # Bulk writes send no signals: the quotes' cached catalogue facts are told here.
    catalog_changed()
    return len(markets)


def _seed_variants(*, product: Product, line: str) -> int:
    if not line:
        return 0
    stored = 0
    for version in DEMO_VERSIONS[line]:
        for language in DEMO_LANGUAGES:
            for file_type, extension in DEMO_FILE_TYPES[line]:
                label = f"{product.product_id} {line} {version} {language} {file_type}"
                software_variant_store(
                    product=product, version=version, language=language, file_type=file_type,
                    filename=f"{version}-{language}.{extension}".replace(" ", "_"),
                    content=demo_file_content(label=label),
                )
                stored += 1
    return stored
