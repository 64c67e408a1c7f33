#!/usr/bin/env python
"""`make bench-load`: the portal under load on this machine, served as in production.

Uses its own PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/csp_bench_load, created when missing) and Redis database
(BENCH_REDIS_URL, default redis://127.0.0.1:6379/9). It migrates the database and, once, seeds it
with `seed_demo --scale 200` (200 generated partners, 50,000 customers, 500,000 orders); later runs
find the partners and reuse them. Then it starts gunicorn with the production settings (plus the
two ceiling views of csp_portal.settings.bench) and measures, on loopback:

- each endpoint's peak throughput, closed loop with wrk (enough connections to keep both workers
  busy), then the same endpoint paced at 70 % of that peak, with p50/p95/p99 latencies;
- as ceilings: a trivial Django JSON view and a view that runs only `SELECT 1`;
- the mix of browsing, searching, the Software page, issuing links, downloading and ordering, with
  Locust (FastHttpUser) at 70 % of the throughput the endpoints' peaks allow for it;
- what one request of each endpoint costs in-process (CPU, queries), at the same data size, and
  a cProfile of those that miss a goal.

The CPU that the server, PostgreSQL, the load generator and everything else on the machine used
during each run is in the report, because the client shares the machine's cores with the server.
Figures go to docs/benchmarks/load.json and docs/benchmarks/load.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import re
import runpy
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import bench_load_report as report
from bench_database import bench_database_ensure

REPO = Path(__file__).resolve().parent.parent
OUT_DIR = REPO / "docs" / "benchmarks"
LUA_SCRIPT = REPO / "scripts" / "bench_load.lua"
LOCUSTFILE = REPO / "scripts" / "locustfile.py"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/csp_bench_load"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"
SCALE = 200
# The bench's own key: the activation keys seeded into its database are encrypted with it.
BENCH_SECRET_KEY = "bench-load-secret-key-not-for-production-0123456789"
# How production serves the portal (workers, their kind, the access log); the bench only adds
# the address and longer timeouts for a machine it keeps busy.
GUNICORN_CONFIG = REPO / "gunicorn.conf.py"
SERVING = {name: value for name, value in runpy.run_path(str(GUNICORN_CONFIG)).items()
           if name in ("worker_class", "workers")}
VIRTUAL_PARTNERS = 20
CUSTOMERS_PER_VIRTUAL_PARTNER = 20
PEAK_CONNECTIONS = 8
PACED_CONNECTIONS = 32
PACED_SHARE = 0.7
DOWNLOADS_PER_LINK = 50  # DOWNLOAD_LINK_MAX_DOWNLOADS, which the bench leaves at its default
MIX_USERS = 60
SEARCH_WORDS = ("alpine", "cedar", "harbor", "maple", "river", "summit", "oak", "delta")


@dataclass(frozen=True)
class Durations:
    warmup: int
    peak: int
    paced: int
    mix: int


FULL = Durations(warmup=3, peak=10, paced=15, mix=60)
QUICK = Durations(warmup=1, peak=3, paced=4, mix=10)


@dataclass
class Endpoint:
    name: str
    label: str
    kind: str  # ceiling, page, api read, write
    requests: list[dict] = field(default_factory=list)
    sequential: bool = False  # each request used DOWNLOADS_PER_LINK times, in order
    idempotency_keys: bool = False


# --- processes and CPU ------------------------------------------------------------------------


def _environment(database_url: str, redis_url: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "csp_portal.settings.bench",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": BENCH_SECRET_KEY,
        # Plain HTTP on loopback: TLS would end at the proxy in production.
        "SECURE_SSL_REDIRECT": "False",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PORTAL_VAR_DIR": str(REPO / "var" / "bench-load"),
        # Per-user limits would refuse a handful of virtual users doing thousands of requests;
        # the limiter still runs (its cache round trip is measured), it just never says no.
        "KEY_REVEAL_RATE": "1000000/h",
        "API_RATE_LIMIT": "1000000/m",
    }


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, check=True)  # noqa: S603


def _collect_static_if_changed() -> None:
    """collectstatic compresses every file (a minute of CPU here): only when a source changed."""
    manifest = REPO / "var" / "bench-load" / "staticfiles" / "staticfiles.json"
    sources = [p for p in REPO.glob("*/static/**/*") if ".venv" not in p.parts and p.is_file()]
    sources += [p for p in (REPO / "static").rglob("*") if p.is_file()]
    newest = max((p.stat().st_mtime for p in sources), default=0)
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        _manage("collectstatic", "--noinput", "-v", "0")


def _clock_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def _children(pid: int) -> list[int]:
    pids = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = (task / "children").read_text().split()
        pids.extend(int(child) for child in children)
    return pids


def _machine_busy_ticks() -> tuple[int, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class CpuMeter:
    """CPU seconds of the server, the database backends, the client and the rest, per run."""

    def __init__(self, gunicorn_pid: int, database: str):
        self.gunicorn_pid = gunicorn_pid
        self.database = database
        self.ticks = os.sysconf("SC_CLK_TCK")

    def _backends(self) -> list[int]:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.database])
            return [row[0] for row in cursor.fetchall()]

    def snapshot(self) -> dict:
        server = [self.gunicorn_pid, *_children(self.gunicorn_pid)]
        backends = self._backends()
        children = os.times()
        busy, total = _machine_busy_ticks()
        return {
            "at": time.perf_counter(),
            "server": {pid: _clock_ticks(pid) for pid in server},
            "database": {pid: _clock_ticks(pid) for pid in backends},
            "client": children.children_user + children.children_system,
            "machine_busy": busy,
            "machine_total": total,
        }

    def between(self, before: dict, after: dict) -> dict:
        seconds = after["at"] - before["at"]

        def delta(kind: str) -> float:
            ticks = sum(
                max(0, count - before[kind].get(pid, 0)) for pid, count in after[kind].items()
            )
            return ticks / self.ticks

        server, database = delta("server"), delta("database")
        client = after["client"] - before["client"]
        busy = (after["machine_busy"] - before["machine_busy"]) / self.ticks
        cores = os.cpu_count() or 1
        other = max(0.0, busy - server - database - client)
        return {
            "server_cores": round(server / seconds, 2),
            "database_cores": round(database / seconds, 2),
            "client_cores": round(client / seconds, 2),
            "other_cores": round(other / seconds, 2),
            "machine_busy_share": round(busy / (seconds * cores), 2),
        }


class Server:
    """gunicorn with the production settings and gunicorn.conf.py, on a free loopback port
    (or another WSGI `app`, from `chdir`, answering 200 at `ready_path`)."""

    def __init__(
        self,
        env: dict[str, str],
        log: Path,
        *,
        app: str = "csp_portal.wsgi:application",
        chdir: Path = REPO,
        ready_path: str = "/bench/trivial",
    ):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.log = log.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                str(Path(sys.executable).parent / "gunicorn"),
                app,
                "--config",
                str(GUNICORN_CONFIG),
                # Where the config's logger class is found when `app` lives elsewhere.
                "--pythonpath",
                str(REPO),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--backlog",
                "2048",
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
            ],
            cwd=chdir,
            env={**os.environ, **env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.get(ready_path)[0] == 200:
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within a minute; see {log}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(self, method: str, path: str, *, headers=None, body: bytes | None = None):
        connection = HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


# --- data the virtual users need --------------------------------------------------------------


def _seeded_partners(scale: int) -> int:
    from demo.scale import scale_partner_numbers
    from partners.models import Partner

    return Partner.objects.filter(partner_number__in=list(scale_partner_numbers(scale))).count()


def bench_data_ensure(scale: int) -> None:
    """Seed `seed_demo --scale` once; give a checkout other than the seeding one its files.

    The database outlives checkouts, while the downloads' files live in each checkout's var/.
    """
    if _seeded_partners(scale) < scale:
        print(f"Seeding the database: seed_demo --scale {scale} (a few minutes, once) ...")
        _manage("seed_demo", "--scale", str(scale))
        return
    from catalog.models import SoftwareVariant
    from demo.catalog import demo_catalog_seed

    variants = SoftwareVariant.objects.only("file")
    if not all(variant.file.storage.exists(variant.file.name) for variant in variants):
        print("Writing the demo downloads' files, which this checkout lacks ...", flush=True)
        demo_catalog_seed()


def _virtual_partners(scale: int, count: int) -> list:
    from demo.scale import scale_partner_numbers
    from partners.models import Partner

    numbers = list(scale_partner_numbers(scale))
    # Spread over the whole range, so their rows are not the first ones loaded.
    chosen = numbers[:: max(1, len(numbers) // count)][:count]
    return list(Partner.objects.filter(partner_number__in=chosen).order_by("partner_number"))


def _actor(partner, rng: random.Random, password: str) -> dict:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from catalog.models import SoftwareVariant
    from core.tenancy import partner_scope
    from customers.models import Customer
    from orders.models import Purchase, PurchaseStatus
    from partners.models import User
    from partners.services import api_token_issue

    agent = User.objects.get(email=f"agent@p{partner.partner_number}.scale.example")
    sales = User.objects.get(email=f"sales@p{partner.partner_number}.scale.example")
    # Production asks Admin agents for TOTP before keys: the agent enrols, as a real one would.
    if not Authenticator.objects.filter(user=agent, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(agent, generate_totp_secret())
    variants: dict[int, list[list[str]]] = {}
    for variant in SoftwareVariant.objects.all():
        variants.setdefault(variant.product_id, []).append(
            [variant.version, variant.language, variant.file_type]
        )
    with partner_scope(partner):
        _token, clear = api_token_issue(actor=agent, name="load benchmark", days_valid=1)
        customers = list(Customer.objects.order_by("id"))
        chosen = rng.sample(customers, CUSTOMERS_PER_VIRTUAL_PARTNER)
        entries = []
        for customer in chosen:
            purchases = list(
                Purchase.objects.filter(customer=customer, status=PurchaseStatus.ACTIVE)
                .select_related("product")
                .order_by("id")
            )
            keyed = [p for p in purchases if p.product.issues_keys]
            if not keyed:
                continue
            entries.append(
                {
                    "id": str(customer.entra_tenant_id),
                    "purchases": [{"id": p.pk, "variants": variants[p.product_id]} for p in keyed],
                    # An offer the customer already bought is one its market sells.
                    "offer": purchases[0].catalog_item_id,
                }
            )
    return {
        "partner": partner.partner_number,
        "sales_email": sales.email,
        "password": password,
        "token": clear,
        "customers": entries,
    }


def _cookies(headers: list[tuple[str, str]]) -> dict[str, str]:
    jar = {}
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            jar[key] = rest.split(";", 1)[0]
    return jar


def _sign_in(server: Server, email: str, password: str) -> str:
    """Sign in through the real form; return the Cookie header the virtual user sends."""
    status, headers, body = server.get("/accounts/login/")
    jar = _cookies(headers)
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or match is None:
        raise RuntimeError(f"The sign-in page answered {status}")
    form = urlencode(
        {"csrfmiddlewaretoken": match.group(1).decode(), "login": email, "password": password}
    )
    status, headers, _body = server.request(
        "POST",
        "/accounts/login/",
        body=form.encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
        },
    )
    jar.update(_cookies(headers))
    session = next((v for k, v in jar.items() if k.endswith("sessionid")), None)
    if status != 302 or not session:
        raise RuntimeError(f"Signing {email} in answered {status}")
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def _download_paths(actors: list[dict], count: int, base_url: str) -> list[str]:
    """Issue `count` fresh links through the service, over distinct purchases and variants."""
    from core.tenancy import partner_scope
    from partners.models import Partner, User
    from software.services import keys_and_downloads_issue

    paths = []
    slots = [
        (actor, purchase["id"], variant)
        for actor in actors
        for customer in actor["customers"]
        for purchase in customer["purchases"]
        for variant in purchase["variants"]
    ]
    random.Random(count).shuffle(slots)
    if count > len(slots):
        raise RuntimeError(f"{count} links wanted, {len(slots)} purchase variants to issue them")
    partners = {p.partner_number: p for p in Partner.objects.all()}
    for actor, purchase_id, (version, language, file_type) in slots[:count]:
        partner = partners[actor["partner"]]
        agent = User.objects.get(email=f"agent@p{partner.partner_number}.scale.example")
        with partner_scope(partner):
            result = keys_and_downloads_issue(
                partner=partner,
                actor=agent,
                purchase_id=purchase_id,
                version=version,
                language=language,
                file_type=file_type,
                base_url=base_url,
            )
        paths.append(urlsplit(result.download.uri).path)
    return paths


# --- the endpoints ----------------------------------------------------------------------------


def page(path: str, actor: dict) -> dict:
    """A page request of the actor's signed-in browser."""
    return {"method": "GET", "path": path, "headers": {"Cookie": actor["cookie"]}}


def api(method: str, path: str, actor: dict, body: dict | None = None) -> dict:
    """An API request with the actor's token."""
    headers = {"Authorization": f"Bearer {actor['token']}"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    return {
        "method": method,
        "path": path,
        "headers": headers,
        "body": json.dumps(body) if body is not None else "",
    }


def _endpoints(actors: list[dict], rng: random.Random) -> list[Endpoint]:
    customers = [(actor, c) for actor in actors for c in actor["customers"]]
    search_filter = [json.dumps({"Field": "CompanyName", "Value": w.title()}) for w in SEARCH_WORDS]
    issue = []
    for actor, customer in customers:
        for purchase in customer["purchases"][:2]:
            version, language, file_type = rng.choice(purchase["variants"])
            issue.append(
                api(
                    "POST",
                    f"/v1/customers/{customer['id']}/entitlements/{purchase['id']}/keysanddownloads",
                    actor,
                    {"version": version, "language": language, "fileType": file_type},
                )
            )
    return [
        Endpoint(
            "trivial",
            "Trivial JSON view (ceiling)",
            "ceiling",
            [{"method": "GET", "path": "/bench/trivial", "headers": {}}],
        ),
        Endpoint(
            "select1",
            "`SELECT 1` view (ceiling)",
            "ceiling",
            [{"method": "GET", "path": "/bench/select1", "headers": {}}],
        ),
        Endpoint(
            "customer_list",
            "Customers page, pages 1-10",
            "page",
            [page(f"/customers/?page={n}", a) for a in actors for n in range(1, 11)],
        ),
        Endpoint(
            "customer_search",
            "Customers page, search",
            "page",
            [page(f"/customers/?q={w}", a) for a in actors for w in SEARCH_WORDS],
        ),
        Endpoint(
            "software_page",
            "Software page of a customer",
            "page",
            [page(f"/customers/{c['id']}/software/", a) for a, c in customers],
        ),
        Endpoint(
            "catalogue_page", "Catalogue page", "page", [page("/catalogue/", a) for a in actors]
        ),
        Endpoint(
            "api_customers",
            "GET /v1/customers",
            "api read",
            [api("GET", "/v1/customers", a) for a in actors],
        ),
        Endpoint(
            "api_customer_search",
            "GET /v1/customers?filter=CompanyName",
            "api read",
            [
                api("GET", "/v1/customers?" + urlencode({"filter": f}), a)
                for a in actors
                for f in search_filter
            ],
        ),
        Endpoint(
            "api_orders",
            "GET /v1/customers/{id}/orders",
            "api read",
            [api("GET", f"/v1/customers/{c['id']}/orders", a) for a, c in customers],
        ),
        Endpoint("download", "GET /downloads/{token} (the file)", "write", sequential=True),
        Endpoint("keys_and_downloads", "POST .../keysanddownloads (issue a link)", "write", issue),
        Endpoint(
            "order_place",
            "POST /v1/customers/{id}/orders (Idempotency-Key)",
            "write",
            [
                api(
                    "POST",
                    f"/v1/customers/{c['id']}/orders",
                    a,
                    {"lineItems": [{"lineItemNumber": 0, "offerId": c["offer"], "quantity": 1}]},
                )
                for a, c in customers
            ],
            idempotency_keys=True,
        ),
    ]


# --- wrk --------------------------------------------------------------------------------------


def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _lua_data(endpoint: Endpoint) -> str:
    rows = []
    for request in endpoint.requests:
        headers = ", ".join(
            f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in request["headers"].items()
        )
        rows.append(
            f"{{method = {_lua_string(request['method'])}, path = {_lua_string(request['path'])}, "
            f"headers = {{{headers}}}, body = {_lua_string(request.get('body', ''))}}}"
        )
    return (
        "return {\n  sequential = "
        + ("true" if endpoint.sequential else "false")
        + f",\n  per_entry = {DOWNLOADS_PER_LINK},\n"
        + "  idempotency = "
        + ("true" if endpoint.idempotency_keys else "false")
        + ",\n  requests = {\n    "
        + ",\n    ".join(rows)
        + "\n  }\n}\n"
    )


def _wrk(
    server: Server,
    endpoint: Endpoint,
    *,
    seconds: int,
    connections: int,
    rate: float,
    workdir: Path,
) -> dict:
    data = workdir / f"{endpoint.name}.lua"
    data.write_text(_lua_data(endpoint))
    env = {
        **os.environ,
        "BENCH_DATA": str(data),
        "BENCH_RATE": f"{rate:.1f}",
        "BENCH_NONCE": uuid.uuid4().hex[:12],
    }
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [  # noqa: S607 - wrk from PATH, checked by main()
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(LUA_SCRIPT),
            server.url,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(
        (text for text in result.stdout.splitlines() if text.startswith("BENCH_RESULT ")), None
    )
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{result.stdout}\n{result.stderr}")
    figures = json.loads(line.removeprefix("BENCH_RESULT "))
    if endpoint.sequential:  # the links this run used up (or started) serve no other run
        endpoint.requests = endpoint.requests[-(-figures["sent"] // DOWNLOADS_PER_LINK) :]
    return figures


def _measure(
    server: Server,
    meter: CpuMeter,
    endpoint: Endpoint,
    *,
    seconds: int,
    connections: int,
    rate: float,
    workdir: Path,
) -> dict:
    before = meter.snapshot()
    figures = _wrk(
        server, endpoint, seconds=seconds, connections=connections, rate=rate, workdir=workdir
    )
    figures["cpu"] = meter.between(before, meter.snapshot())
    return figures


def _with_download_links(endpoint: Endpoint, actors, server: Server, expected: float) -> None:
    count = int(expected / DOWNLOADS_PER_LINK * 1.2) + 10
    endpoint.requests = [
        {"method": "GET", "path": path, "headers": {}}
        for path in _download_paths(actors, count, server.url + "/")
    ]


def _run_endpoint(server, meter, endpoint, actors, durations, ceiling, workdir) -> dict:
    print(f"{endpoint.name}: peak (closed loop, {PEAK_CONNECTIONS} connections) ...", flush=True)
    if endpoint.name == "download":
        # A link serves fifty downloads; the ceiling bounds how many the run can make.
        _with_download_links(
            endpoint, actors, server, ceiling * (durations.warmup + durations.peak)
        )
    _wrk(
        server,
        endpoint,
        seconds=durations.warmup,
        connections=PEAK_CONNECTIONS,
        rate=0,
        workdir=workdir,
    )
    peak = _measure(
        server,
        meter,
        endpoint,
        seconds=durations.peak,
        connections=PEAK_CONNECTIONS,
        rate=0,
        workdir=workdir,
    )
    target = peak["rps"] * PACED_SHARE
    print(f"  {peak['rps']:.0f} req/s; paced at {target:.0f} req/s ...", flush=True)
    if endpoint.name == "download":
        _with_download_links(endpoint, actors, server, target * durations.paced)
    paced = _measure(
        server,
        meter,
        endpoint,
        seconds=durations.paced,
        connections=PACED_CONNECTIONS,
        rate=target,
        workdir=workdir,
    )
    print(
        f"  {paced['rps']:.0f} req/s, p50 {paced['p50_ms']} ms, p95 {paced['p95_ms']} ms, "
        f"p99 {paced['p99_ms']} ms",
        flush=True,
    )
    return {
        "name": endpoint.name,
        "label": endpoint.label,
        "kind": endpoint.kind,
        "peak": peak,
        "paced": paced,
        "target_rps": round(target, 1),
    }


# --- the mix (Locust) -------------------------------------------------------------------------

MIX_WEIGHTS = {
    "customer_list": 20,
    "customer_search": 10,
    "software_page": 20,
    "catalogue_page": 5,
    "api_customers": 10,
    "api_customer_search": 10,
    "issue_and_download": 10,
    "order_place": 5,
}
# The requests each task makes, by the endpoint names above.
MIX_TASK_REQUESTS = {
    "customer_list": ["customer_list"],
    "customer_search": ["customer_search"],
    "software_page": ["software_page"],
    "catalogue_page": ["catalogue_page"],
    "api_customers": ["api_customers"],
    "api_customer_search": ["api_customer_search"],
    "issue_and_download": ["keys_and_downloads", "download"],
    "order_place": ["order_place"],
}


def _mix_capacity(peaks: dict[str, float]) -> tuple[float, float]:
    """Tasks and requests per second the server can take in the mix, from each one's peak."""
    total = sum(MIX_WEIGHTS.values())
    seconds_per_task = sum(
        weight / total * sum(1 / max(peaks[name], 1.0) for name in MIX_TASK_REQUESTS[task])
        for task, weight in MIX_WEIGHTS.items()
    )
    requests_per_task = sum(
        weight / total * len(MIX_TASK_REQUESTS[task]) for task, weight in MIX_WEIGHTS.items()
    )
    tasks = 1 / seconds_per_task
    return tasks, tasks * requests_per_task


def _run_mix(server, meter, actors, peaks, durations, workdir) -> dict:
    tasks_capacity, requests_capacity = _mix_capacity(peaks)
    tasks_target = tasks_capacity * PACED_SHARE
    data = workdir / "mix.json"
    data.write_text(
        json.dumps(
            {
                "actors": actors,
                "mix_weights": MIX_WEIGHTS,
                "search_words": list(SEARCH_WORDS),
                "tasks_per_user_per_second": tasks_target / MIX_USERS,
            }
        )
    )
    print(
        f"mix: {MIX_USERS} Locust users, {tasks_target:.0f} tasks/s "
        f"(~{requests_capacity * PACED_SHARE:.0f} req/s) ...",
        flush=True,
    )
    prefix = workdir / "mix"
    before = meter.snapshot()
    subprocess.run(  # noqa: S603 - fixed arguments
        [
            str(Path(sys.executable).parent / "locust"),
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "-u",
            str(MIX_USERS),
            "-r",
            str(MIX_USERS),
            "--run-time",
            f"{durations.mix}s",
            "--host",
            server.url,
            "--csv",
            str(prefix),
            "--only-summary",
            "--reset-stats",
            "--loglevel",
            "WARNING",
            "--stop-timeout",
            "5",
        ],
        env={**os.environ, "BENCH_LOAD_DATA": str(data)},
        check=False,
        stdout=subprocess.DEVNULL,
    )
    cpu = meter.between(before, meter.snapshot())
    rows = {}
    with open(f"{prefix}_stats.csv", newline="") as stats:
        for row in csv.DictReader(stats):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": round(float(row["Requests/s"]), 1),
                "p50_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]),
                "p99_ms": float(row["99%"]),
            }
    return {
        "users": MIX_USERS,
        "tasks_per_second_target": round(tasks_target, 1),
        "requests_capacity": round(requests_capacity, 1),
        "weights": MIX_WEIGHTS,
        "rows": rows,
        "cpu": cpu,
    }


def machine(load_before) -> dict:
    """This machine, and its load average before the run."""
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average_before": [round(v, 2) for v in load_before],
    }


def _data_size() -> dict:
    from django.db import connection

    counts = {}
    with connection.cursor() as cursor:
        for key, table in (
            ("partners", "partners_partner"),
            ("customers", "customers_customer"),
            ("orders", "orders_order"),
            ("purchases", "orders_orderline"),
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
            counts[key] = cursor.fetchone()[0]
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short runs, to try the script")
    parser.add_argument("--scale", type=int, default=SCALE, help="seed_demo --scale (default 200)")
    parser.add_argument("--only", nargs="*", default=None, help="endpoint names to run")
    parser.add_argument("--no-mix", action="store_true")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--output", type=Path, default=OUT_DIR)
    args = parser.parse_args()
    durations = QUICK if args.quick else FULL
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk (make bench-load does it).")

    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    env = _environment(database_url, redis_url)
    os.environ.update(env)
    sys.path.insert(0, str(REPO))
    bench_database_ensure(database_url)
    _manage("migrate", "--noinput", "-v", "0")
    _collect_static_if_changed()

    import django

    django.setup()
    from demo.partners import demo_password

    bench_data_ensure(args.scale)
    load_before = os.getloadavg()
    rng = random.Random(20260101)
    print("Preparing virtual users ...", flush=True)
    actors = [
        _actor(p, rng, demo_password()) for p in _virtual_partners(args.scale, VIRTUAL_PARTNERS)
    ]
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    server = Server(env, workdir / "gunicorn.log")
    results: dict = {}
    rows: list[dict] = []
    try:
        for actor in actors:
            actor["cookie"] = _sign_in(server, actor["sales_email"], actor["password"])
        meter = CpuMeter(server.process.pid, urlsplit(database_url).path.lstrip("/"))
        endpoints = _endpoints(actors, rng)
        if args.only:
            endpoints = [e for e in endpoints if e.name in {"trivial", *args.only}]
        ceiling = 0.0
        for endpoint in endpoints:
            row = _run_endpoint(server, meter, endpoint, actors, durations, ceiling, workdir)
            ceiling = max(ceiling, row["peak"]["rps"])
            rows.append(row)
        results = {
            "run_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine(load_before),
            "data": _data_size(),
            "durations": durations.__dict__,
            "actors": [a["partner"] for a in actors],
            "endpoints": rows,
        }
        peaks = {row["name"]: row["peak"]["rps"] for row in rows}
        needed = {name for names in MIX_TASK_REQUESTS.values() for name in names}
        if not args.no_mix and needed <= set(peaks):
            results["mix"] = _run_mix(server, meter, actors, peaks, durations, workdir)
    finally:
        server.stop()
    if not {"trivial", "download", "order_place"} <= {row["name"] for row in rows}:
        print("Not every endpoint ran: no report written.")
        return
    results["verdicts"] = report.verdicts(rows)
    if not args.no_profile:
        print("In-process costs and profiles ...", flush=True)
        profiled = report.missed(results)
        results["costs"] = {}
        for endpoint in endpoints:
            if endpoint.name == "download":
                _with_download_links(endpoint, actors, server, report.requests_needed())
            results["costs"][endpoint.name] = report.costs(
                endpoint,
                downloads_per_link=DOWNLOADS_PER_LINK,
                profile=endpoint.name in profiled,
            )
    settings = {
        **SERVING,
        "peak_connections": PEAK_CONNECTIONS,
        "paced_connections": PACED_CONNECTIONS,
        "paced_share": PACED_SHARE,
    }
    report.write(
        results,
        args.output,
        settings=settings,
        to_json=lambda data: json.dumps(data, indent=2) + "\n",
    )
    print(f"Wrote {args.output / 'load.md'} and load.json")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
