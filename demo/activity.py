"""Realistic synthetic activity events in bulk, for measuring the log at millions of rows.

PostgreSQL gets them through COPY (text format, written in blocks); other databases through
bulk_create. Events are generated in time order, as an append-only log is written, so the
table's physical order follows `occurred_at` the way it does in production.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.utils import timezone
from psycopg.copy import QueuedLibpqWriter

from activity.models import PRODUCT_TITLE_KEY, Event, EventCount, OperationType, ResourceType
from core.tenancy import partner_scope
from customers.models import Customer
from partners.models import Partner, User

# Rows per generated block: big enough that COPY's per-call overhead vanishes, small enough that
# memory stays flat whatever --events says.
BLOCK_ROWS = 20_000
# COPY text format: tab-separated, \\N for NULL. Generated values hold no tab, newline or
# backslash, so nothing needs escaping.
NULL = "\\N"
ROWS_PER_COMMIT = 200_000
SYNTHETIC_ACTORS = 40
COPY_COLUMNS = (
    "id", "occurred_at", "partner_id", "actor_id", "actor_email", "ip_address", "user_agent",
    "correlation_id", "request_id", "operation_type", "operation_status", "resource_type",
    "customer_id", "object_id", "details",
)
PRODUCTS = (
    "Windows Server 2022 Standard - 16 Core", "Windows Server 2022 Datacenter - 16 Core",
    "SQL Server 2022 Standard - 2 Core", "SQL Server 2022 Enterprise - 2 Core",
    "Office LTSC Professional Plus 2021", "Project Professional 2021", "Visio Professional 2021",
    "Windows 11 Enterprise LTSC 2024", "Remote Desktop Services CAL 2022",
    "SUSE Linux Enterprise Server", "Red Hat Enterprise Linux",
)
USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari/605",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "curl/8.5.0", "PowerShell/7.4 PartnerCenter/3.4", "Wget/1.21.4",
)


@dataclass(frozen=True)
class _Kind:
    operation: OperationType
    resource: ResourceType
    weight: int
    has_customer: bool
    has_product: bool
    anonymous_share: float = 0.0


# A working partner's mix: sign-ins dominate; keys, links and downloads are about a quarter.
KINDS = (
    _Kind(OperationType.SIGN_IN, ResourceType.USER, 260, False, False),
    _Kind(OperationType.SIGN_OUT, ResourceType.USER, 120, False, False),
    _Kind(OperationType.SIGN_IN_FAILED, ResourceType.USER, 20, False, False),
    _Kind(OperationType.CREATE_CUSTOMER, ResourceType.CUSTOMER, 15, True, False),
    _Kind(OperationType.UPDATE_CUSTOMER, ResourceType.CUSTOMER, 30, True, False),
    _Kind(OperationType.CREATE_ORDER, ResourceType.ORDER, 110, True, True),
    _Kind(OperationType.GET_SOFTWARE_KEY, ResourceType.SOFTWARE, 80, True, True),
    _Kind(OperationType.GET_SOFTWARE_DOWNLOAD_LINK, ResourceType.SOFTWARE, 80, True, True),
    # Most downloads come from the customer holding the link, not from a signed-in user.
    _Kind(OperationType.SOFTWARE_DOWNLOAD, ResourceType.SOFTWARE, 120, True, True, 0.8),
    _Kind(OperationType.CANCEL_ORDER, ResourceType.ORDER, 12, True, True),
    _Kind(OperationType.COMPLETE_CANCELLATION, ResourceType.ORDER, 12, True, True),
    _Kind(OperationType.CREATE_CREDIT, ResourceType.INVOICE, 10, True, True),
    _Kind(OperationType.CREATE_SERVICE_REQUEST, ResourceType.SERVICE_REQUEST, 10, True, False),
    _Kind(OperationType.UPDATE_SERVICE_REQUEST, ResourceType.SERVICE_REQUEST, 15, True, False),
    _Kind(OperationType.INVITE_PARTNER_USER, ResourceType.USER, 3, False, False),
    _Kind(OperationType.UPDATE_PARTNER_USER, ResourceType.USER, 3, False, False),
    _Kind(OperationType.EXPORT_ACTIVITY_LOG, ResourceType.ACTIVITY_LOG, 2, False, False),
)


@dataclass(frozen=True)
class SeedResult:
    events: int
    seconds: float
    method: str

    @property
    def rows_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else float("inf")


def _customers_for(partner: Partner, *, wanted: int, rng: random.Random) -> list[tuple[int, str]]:
    """The partner's customers, adding synthetic ones until there are `wanted`."""
    with partner_scope(partner):
        existing = list(Customer.objects.order_by("id").values_list("id", "company_name"))
        missing = wanted - len(existing)
        if missing > 0:
            Customer.objects.bulk_create(
                Customer(
                    partner=partner, entra_tenant_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                    company_name=f"Seeded Customer {n:05d}",
                    primary_domain=f"seeded{partner.partner_number}c{n:05d}.onmicrosoft.com",
                    country="IT", contact_email=f"it@seeded{n:05d}.example",
                    address_line1="Via Roma 1", city="Milano", postal_code="20121",
                )
                for n in range(len(existing), wanted)
            )
            existing = list(Customer.objects.order_by("id").values_list("id", "company_name"))
    return existing


def _actors_for(partner: Partner) -> list[tuple[int | None, str]]:
    with partner_scope(partner):
        users = list(User.members.order_by("id").values_list("id", "email"))
    synthetic = [
        (None, f"seeded.user{n:02d}@p{partner.partner_number}.example")
        for n in range(max(0, SYNTHETIC_ACTORS - len(users)))
    ]
    return users + synthetic


def _blocks(
    *, partner: Partner, events: int, days: int, customers: list[tuple[int, str]],
    actors: list[tuple[int | None, str]], rng: random.Random, end: datetime,
) -> Iterator[list[str]]:
    """Blocks of events as COPY text lines (columns in COPY_COLUMNS order), oldest first."""
    start_us = int((end - timedelta(days=days)).timestamp() * 1_000_000)
    span_us = days * 86_400 * 1_000_000
    weights = [kind.weight for kind in KINDS]
    people = [(NULL if actor_id is None else str(actor_id), email) for actor_id, email in actors]
    # Values are drawn a block at a time and formatted from caches: a per-row json.dumps or
    # datetime.isoformat would cap the load far below what COPY takes in.
    details_text: dict[tuple[int, int], str] = {}
    days_text: dict[int, str] = {}
    done = 0
    while done < events:
        size = min(BLOCK_ROWS, events - done)
        # Each block covers its own slice of the period, so rows arrive in time order.
        lo = start_us + span_us * done // events
        hi = max(start_us + span_us * (done + size) // events, lo + 1)
        stamps = sorted(lo + int(rng.random() * (hi - lo)) for _ in range(size))
        kinds = rng.choices(KINDS, weights=weights, k=size)
        who = rng.choices(people, k=size)
        bought_for = rng.choices(range(len(customers)), k=size) if customers else [-1] * size
        products = rng.choices(range(len(PRODUCTS)), k=size)
        agents = rng.choices(USER_AGENTS, k=size)
        hosts = rng.choices(range(1, 255), k=size)
        chance = [rng.random() for _ in range(size)]
        random_hex = rng.randbytes(48 * size).hex()
        lines = []
        for n, (stamp, kind) in enumerate(zip(stamps, kinds, strict=True)):
            actor_id, email = who[n]
            if chance[n] < kind.anonymous_share:
                actor_id, email = NULL, ""
            customer = bought_for[n] if kind.has_customer else -1
            product = products[n] if kind.has_product else -1
            details = details_text.get((customer, product))
            if details is None:
                payload = {}
                if product >= 0:
                    payload[PRODUCT_TITLE_KEY] = PRODUCTS[product]
                if customer >= 0:
                    payload["companyName"] = customers[customer][1]
                details = details_text[(customer, product)] = json.dumps(payload)
            seconds, micros = divmod(stamp, 1_000_000)
            day, second = divmod(seconds, 86_400)
            day_text = days_text.get(day)
            if day_text is None:
                day_text = days_text[day] = f"{datetime.fromtimestamp(day * 86_400, UTC):%F}"
            hour, rest = divmod(second, 3600)
            h = random_hex[96 * n:96 * (n + 1)]
            lines.append(
                f"{_uuid7_text(stamp // 1000, h)}\t"
                f"{day_text} {hour:02d}:{rest // 60:02d}:{rest % 60:02d}.{micros:06d}+00\t"
                f"{partner.pk}\t{actor_id}\t{email}\t"
                f"{'198.51.100' if email else '203.0.113'}.{hosts[n]}\t{agents[n]}\t"
                f"{h[32:40]}-{h[40:44]}-4{h[45:48]}-a{h[49:52]}-{h[52:64]}\t"
                f"{h[64:72]}-{h[72:76]}-4{h[77:80]}-b{h[81:84]}-{h[84:96]}\t"
                f"{kind.operation.value}\tsucceeded\t{kind.resource.value}\t"
                f"{customers[customer][0] if customer >= 0 else NULL}\t{h[24:32]}\t{details}\n"
            )
        done += size
        yield lines


def _uuid7_text(unix_ms: int, random_hex: str) -> str:
    """A version-7 UUID, as `Event.id` gets: the event's millisecond, then random bits."""
    ms = f"{unix_ms:012x}"
    return f"{ms[:8]}-{ms[8:]}-7{random_hex[:3]}-8{random_hex[3:6]}-{random_hex[6:18]}"


def _load_with_copy(blocks: Iterator[list[str]], progress: Callable[[int], None]) -> int:
    table = Event._meta.db_table
    statement = f"COPY {table} ({', '.join(COPY_COLUMNS)}) FROM STDIN"  # noqa: S608 - constants
    loaded = 0
    with connection.cursor() as cursor:
        raw = cursor.connection.cursor()
        pending = iter(blocks)
        while True:
            # One COPY, so one transaction, per batch of blocks: the deferred foreign-key
            # checks queue in the server's memory until commit, and ten million of them would
            # not fit. The queued writer sends from its own thread while the next block is built.
            sent = 0
            with raw.copy(statement, writer=QueuedLibpqWriter(raw)) as copy:
                for block in pending:
                    copy.write("".join(block))
                    sent += len(block)
                    loaded += len(block)
                    progress(loaded)
                    if sent >= ROWS_PER_COMMIT:
                        break
            if sent < ROWS_PER_COMMIT:
                break
        # Fresh statistics and a set visibility map: the planner sees the new size at once and
        # the index-only scans that count events per day need not visit the table. VACUUM cannot
        # run inside a transaction (a test's), ANALYZE can.
        for analysed in (table, EventCount._meta.db_table):
            cursor.execute(
                ("ANALYZE " if connection.in_atomic_block else "VACUUM (ANALYZE) ") + analysed
            )
    return loaded


def _event_from_line(line: str) -> Event:
    values = dict(zip(COPY_COLUMNS, line.rstrip("\n").split("\t"), strict=True))
    for column in ("actor_id", "customer_id"):
        values[column] = None if values[column] == NULL else int(values[column])
    values["details"] = json.loads(values["details"])
    values["occurred_at"] = datetime.fromisoformat(values["occurred_at"])
    return Event(**values)


def _load_with_bulk_create(
    partner: Partner, blocks: Iterator[list[str]], progress: Callable[[int], None]
) -> int:
    loaded = 0
    with partner_scope(partner):
        for block in blocks:
            Event.objects.bulk_create([_event_from_line(line) for line in block], batch_size=500)
            loaded += len(block)
            progress(loaded)
    return loaded


def events_seed(
    *, partner: Partner, events: int, days: int = 400, customers: int = 200,
    seed: int | None = None, progress: Callable[[int], None] = lambda loaded: None,
) -> SeedResult:
    """Append `events` synthetic events for the partner, spread over the last `days` days."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
    blocks = _blocks(
        partner=partner, events=events, days=days, rng=rng, end=timezone.now(),
        customers=_customers_for(partner, wanted=customers, rng=rng), actors=_actors_for(partner),
    )
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        loaded, method = _load_with_copy(blocks, progress), "copy"
    else:
        loaded, method = _load_with_bulk_create(partner, blocks, progress), "bulk_create"
    return SeedResult(events=loaded, seconds=time.perf_counter() - started, method=method)
