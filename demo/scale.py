"""`seed_demo --scale N`: generated partners with many customers and orders, loaded in bulk.

Each generated partner gets three users, CUSTOMERS_PER_PARTNER customers and
ORDERS_PER_CUSTOMER orders per customer, with their purchases and encrypted activation keys,
priced by the same quote the order service uses. A partner is written in one transaction, so a
run that stops half-way leaves whole partners behind and the next run carries on after them.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from catalog.models import Availability, Market
from core.errors import PortalError
from core.roles import Role
from core.tenancy import partner_scope
from customers.models import Customer
from demo.catalog import DEMO_EXCHANGE_RATES
from demo.partners import demo_password
from orders.models import Order, Purchase, new_alternate_id
from orders.pricing import line_price
from orders.quotes import LineRequest, QuotedLine, order_quote
from orders.services.placing import purchase_build
from partners.models import Partner, User
from software.crypto import encrypt
from software.keys import activation_key_generate
from software.models import ActivationKey

CUSTOMERS_PER_PARTNER = 250
ORDERS_PER_CUSTOMER = 10
# Generated partners are numbered after this, far from the demo partners' 4 100 00x.
SCALE_PARTNER_NUMBER_BASE = 5_000_000
SCALE_EMAIL_DOMAIN = "scale.example"
SCALE_USER_ROLES = (
    ("globaladmin", Role.GLOBAL_ADMIN),
    ("agent", Role.ADMIN_AGENT),
    ("sales", Role.SALES_AGENT),
)
# One order in five has a second line.
TWO_LINE_SHARE = 0.2
MAX_QUANTITY = 5
_TENANT_NAMESPACE = uuid.UUID("0b7e3f52-8c1d-4a6e-9f20-5d4c3b2a1908")
_NAME_WORDS = (
    "Alpine",
    "Amber",
    "Blue",
    "Cedar",
    "Coastal",
    "Copper",
    "Delta",
    "Eastern",
    "Falcon",
    "Granite",
    "Harbor",
    "Iron",
    "Juniper",
    "Lakeside",
    "Maple",
    "Northern",
    "Oak",
    "Pine",
    "Quartz",
    "River",
    "Silver",
    "Summit",
    "Valley",
    "Western",
)
_NAME_TRADES = (
    "Logistics",
    "Foods",
    "Systems",
    "Clinics",
    "Motors",
    "Textiles",
    "Builders",
    "Media",
    "Pharma",
    "Energy",
    "Retail",
    "Studios",
    "Labs",
    "Insurance",
    "Hotels",
    "Engineering",
)
_COUNTRY_STYLE = {
    "IT": ("S.p.A.", "Milano", "20121"),
    "DE": ("GmbH", "Berlin", "10115"),
    "FR": ("SAS", "Paris", "75001"),
    "ES": ("S.L.", "Madrid", "28001"),
    "NL": ("B.V.", "Amsterdam", "1012"),
    "GB": ("Ltd", "London", "EC1A 1BB"),
    "US": ("Inc.", "Seattle", "98101"),
    "CA": ("Inc.", "Toronto", "M5H 2N2"),
    "JP": ("K.K.", "Tokyo", "100-0001"),
    "AU": ("Pty Ltd", "Sydney", "2000"),
    "BR": ("Ltda", "São Paulo", "01310-100"),
}


@dataclass(frozen=True)
class ScaleResult:
    partners_added: int
    partners_present: int
    customers: int
    orders: int
    purchases: int
    keys: int
    seconds: float


class _Offers:
    """What each market can buy, quoted by the order service once per offer and reused."""

    def __init__(self, *, at: datetime):
        self.at = at
        self.markets = sorted(
            Market.objects.filter(
                country__in=list(DEMO_EXCHANGE_RATES), availabilities__isnull=False
            )
            .values_list("country", flat=True)
            .distinct()
        )
        if not self.markets:
            raise RuntimeError("No priced offers: seed the demo catalogue first.")
        self._by_market: dict[str, list[list[QuotedLine]]] = {}

    def in_market(self, code: str) -> list[list[QuotedLine]]:
        """Per offer sold in the market: its quoted lines, one per quantity."""
        if code not in self._by_market:
            self._by_market[code] = self._quote(code)
        return self._by_market[code]

    def _quote(self, code: str) -> list[list[QuotedLine]]:
        customer = Customer(country=code)
        quoted = []
        for availability in Availability.objects.filter(market_id=code).select_related(
            "sku__product"
        ):
            line = LineRequest(offer_id=availability.catalog_item_id, quantity=1)
            try:
                [one] = order_quote(customer=customer, lines=[line], at=self.at).lines
            except PortalError:
                continue  # not sold in this market
            sku, price = availability.sku, one.price
            # Other quantities cost the same per unit: priced by the quote's own function.
            quantities = [
                replace(
                    one,
                    price=line_price(
                        unit_price=price.unit_price,
                        quantity=quantity,
                        currency_code=price.currency_code,
                        tax_rate_percent=price.tax_rate_percent,
                        prices_include_tax=price.prices_include_tax,
                    ),
                )
                for quantity in range(1, MAX_QUANTITY + 1)
                if sku.min_quantity <= quantity <= sku.max_quantity
            ]
            if quantities:
                quoted.append(quantities)
        return quoted


def scale_partner_numbers(scale: int) -> range:
    """The partner numbers that `--scale N` generates: none for N = 1, N of them otherwise."""
    count = 0 if scale <= 1 else scale
    return range(SCALE_PARTNER_NUMBER_BASE + 1, SCALE_PARTNER_NUMBER_BASE + 1 + count)


def _users(*, partner: Partner, password_hash: str) -> User:
    users = [
        User(
            email=f"{prefix}@p{partner.partner_number}.{SCALE_EMAIL_DOMAIN}",
            partner=partner,
            roles=[role.value],
            full_name=f"{prefix.title()} {partner.partner_number}",
            password=password_hash,
        )
        for prefix, role in SCALE_USER_ROLES
    ]
    User.objects.bulk_create(users)
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, primary=True, verified=True) for user in users
    )
    return next(user for user in users if user.has_role(Role.ADMIN_AGENT))


def _customers(*, partner: Partner, rng: random.Random, markets: list[str]) -> list[Customer]:
    home = partner.home_country.code
    customers = []
    for number in range(CUSTOMERS_PER_PARTNER):
        # Most customers buy in the partner's own market, the rest anywhere it sells.
        country = home if rng.random() < 0.6 else rng.choice(markets)
        suffix, city, postal_code = _COUNTRY_STYLE[country]
        word, trade = rng.choice(_NAME_WORDS), rng.choice(_NAME_TRADES)
        slug = f"{word}{trade}{number}".lower()
        customers.append(
            Customer(
                partner=partner,
                entra_tenant_id=uuid.uuid5(_TENANT_NAMESPACE, f"{partner.partner_number}:{number}"),
                company_name=f"{word} {trade} {number} {suffix}",
                primary_domain=f"{slug}.onmicrosoft.com",
                country=country,
                contact_name="IT Department",
                contact_email=f"it@{slug}.example",
                address_line1=f"{number + 1} {word} Street",
                city=city,
                postal_code=postal_code,
            )
        )
    return Customer.objects.bulk_create(customers)


def _orders(
    *,
    partner: Partner,
    buyer: User,
    customers: list[Customer],
    offers: _Offers,
    rng: random.Random,
    since: datetime,
    until: datetime,
) -> tuple[int, int, int]:
    span = (until - since).total_seconds()
    orders, quoted_lines, alternate_ids = [], [], set()
    for customer in customers:
        market_offers = offers.in_market(customer.country.code)
        for _ in range(ORDERS_PER_CUSTOMER):
            alternate_id = new_alternate_id()
            while alternate_id in alternate_ids:
                alternate_id = new_alternate_id()
            alternate_ids.add(alternate_id)
            count = 2 if rng.random() < TWO_LINE_SHARE else 1
            lines = [rng.choice(offer) for offer in rng.sample(market_offers, count)]
            order = Order(
                partner=partner,
                customer=customer,
                placed_by=buyer,
                placed_at=since + timedelta(seconds=rng.uniform(0, span)),
                alternate_id=alternate_id,
                currency_code=lines[0].price.currency_code,
                prices_include_tax=lines[0].price.prices_include_tax,
                subtotal=sum(line.price.extended_price for line in lines),
                tax_total=sum(line.price.tax_amount for line in lines),
                total=sum(line.price.total for line in lines),
            )
            orders.append(order)
            quoted_lines.extend((order, number, line) for number, line in enumerate(lines))
    _insert(Order, orders)
    purchases = [
        purchase_build(order=order, quoted=replace(line, line_number=number))
        for order, number, line in quoted_lines
    ]
    _insert(Purchase, purchases)
    keys = [
        ActivationKey(
            partner=partner,
            purchase=purchase,
            ciphertext=encrypt(activation_key_generate()),
            created_at=purchase.purchased_at,
        )
        for purchase in purchases
        if purchase.product.issues_keys
    ]
    _insert(ActivationKey, keys)
    return len(orders), len(purchases), len(keys)


def _insert(model: type[models.Model], objects: list[models.Model]) -> None:
    """Insert the objects and give them their ids: one COPY on PostgreSQL, else bulk_create.

    COPY costs a fifth of what bulk_create spends preparing each value in Python, which is most
    of the time at half a million orders.
    """
    if connection.vendor != "postgresql":
        model._base_manager.bulk_create(objects, batch_size=1000)
        return
    meta = model._meta
    if meta.pk.db_returning:  # an id from the table's sequence: take a block of them first
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(objects)],
            )
            for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
                obj.pk = pk
    fields = meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with (
        connection.cursor() as cursor,
        cursor.connection.cursor().copy(
            f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"  # noqa: S608
        ) as copy,
    ):
        for obj in objects:
            copy.write_row([getattr(obj, field.attname) for field in fields])
    for obj in objects:
        obj._state.adding, obj._state.db = False, connection.alias


@transaction.atomic
def _partner_seed(
    *, number: int, offers: _Offers, password_hash: str, since: datetime, until: datetime
) -> tuple[int, int, int, int]:
    rng = random.Random(number)
    home = rng.choice(offers.markets)
    market = Market.objects.get(pk=home)
    partner = Partner.objects.create(
        name=f"Scale Partner {number - SCALE_PARTNER_NUMBER_BASE:03d}",
        partner_number=number,
        home_country=home,
        billing_currency=market.currency_code,
    )
    with partner_scope(partner):
        buyer = _users(partner=partner, password_hash=password_hash)
        customers = _customers(partner=partner, rng=rng, markets=offers.markets)
        orders, purchases, keys = _orders(
            partner=partner,
            buyer=buyer,
            customers=customers,
            offers=offers,
            rng=rng,
            since=since,
            until=until,
        )
    return len(customers), orders, purchases, keys


def demo_scale_seed(
    *, scale: int, progress: Callable[[str], None] = lambda message: None
) -> ScaleResult:
    """Add the generated partners that `scale` asks for and are not there yet."""
    started = time.perf_counter()
    wanted = scale_partner_numbers(scale)
    present = set(
        Partner.objects.filter(partner_number__in=list(wanted)).values_list(
            "partner_number", flat=True
        )
    )
    missing = [number for number in wanted if number not in present]
    totals = [0, 0, 0, 0]
    if missing:
        now = timezone.now()
        # Orders of this month only: the month close that seed_demo runs before this has none
        # of them to invoice, and invoicing a year of 500,000 orders is not what a demo needs.
        month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        offers = _Offers(at=now)
        # One hash for every generated user: the demo password is shared and printed anyway,
        # and hashing it per user would cost a second of CPU each.
        password_hash = make_password(demo_password())
        for done, number in enumerate(missing, start=1):
            counts = _partner_seed(
                number=number,
                offers=offers,
                password_hash=password_hash,
                since=month_start,
                until=now,
            )
            totals = [total + count for total, count in zip(totals, counts, strict=True)]
            if done % 10 == 0 or done == len(missing):
                progress(f"  generated partners: {done}/{len(missing)}")
    customers, orders, purchases, keys = totals
    return ScaleResult(
        partners_added=len(missing),
        partners_present=len(present),
        customers=customers,
        orders=orders,
        purchases=purchases,
        keys=keys,
        seconds=time.perf_counter() - started,
    )
