#!/usr/bin/env python
"""`make bench`: the activity log at ten million events, measured on this machine.

Uses its own PostgreSQL database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/csp_bench;
created when missing), migrates it, and loads 10 million events for one partner and 1 million
for another with `seed_activity` unless they are already there. Then it measures, through the
real code (Django's test client, with every middleware, the template and the chart):

- the first page of the Activity log for 30 days, one year and the "Key access and downloads"
  preset: median and 95th percentile over RUNS requests, with the list and chart queries apart;
- the CSV export of the longest range (366 days) of the 1-million-event partner in a
  subprocess: rows per second and peak RSS (ru_maxrss);
- B-tree against BRIN for the partner + time range queries, and a monthly partitioned copy of
  the table against the plain one (EXPLAIN ANALYZE server times, same queries).

Figures go to docs/benchmarks/activity.json and docs/benchmarks/activity.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench_database import bench_database_ensure

REPO = Path(__file__).resolve().parent.parent
OUT_DIR = REPO / "docs" / "benchmarks"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/csp_bench"
RUNS = 50
WARMUP = 3
PLAN_RUNS = 15
EXPORT_RUNS = 3
# (partner number, name, events): the sizes the issue asks for.
BIG = (9_100_001, "Bench Ten Million", 10_000_000)
SMALL = (9_100_002, "Bench One Million", 1_000_000)
SEED_DAYS = 400
PARTITIONED_TABLE = "bench_event_monthly"
TARGETS = {"page_30_days_p95_ms": 50, "csv_rows_per_second": 50_000, "csv_peak_rss_mb": 150}


def _django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csp_portal.settings.dev")
    # DEBUG would keep every query in memory and add its own time to each request.
    os.environ["DEBUG"] = "0"
    # Its own var/ for the static files it collects.
    os.environ.setdefault("PORTAL_VAR_DIR", str(REPO / "var" / "bench"))
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "median_ms": _ms(statistics.median(ordered)),
        "p95_ms": _ms(statistics.quantiles(ordered, n=20, method="inclusive")[18]),
        "min_ms": _ms(ordered[0]),
        "max_ms": _ms(ordered[-1]),
        "runs": len(ordered),
    }


def _timed(call, runs: int = RUNS) -> dict:
    """Wall time per call; and the CPU time this process spent, which waiting for a busy
    machine's CPUs or for the database does not inflate."""
    for _ in range(WARMUP):
        call()
    samples, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        samples.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return {**_summary(samples), "python_cpu_median_ms": _ms(statistics.median(cpu))}


# --- data -----------------------------------------------------------------------------------


def _partner_and_viewer(number: int, name: str):
    from core.roles import Role
    from partners.models import Partner, User

    partner, _ = Partner.objects.get_or_create(
        partner_number=number,
        defaults={"name": name, "home_country": "IT", "billing_currency": "EUR"},
    )
    viewer, _ = User.objects.get_or_create(
        email=f"accounts@p{number}.example",
        defaults={"partner": partner, "roles": [Role.ACCOUNT_ADMIN.value],
                  "time_zone": "Europe/Rome"},
    )
    return partner, viewer


def _load(partner, wanted: int) -> dict:
    from activity.models import Event
    from core.tenancy import partner_scope
    from demo.activity import events_seed

    with partner_scope(partner):
        present = Event.objects.count()
    # The bench's own exports add a few events; "loaded" means the seeded millions are there.
    if present >= wanted:
        print(f"{partner.name}: {present:,} events already loaded")
        return {"events": present, "loaded_now": 0}
    missing = wanted - present
    print(f"{partner.name}: loading {missing:,} events (COPY) ...")
    result = events_seed(
        partner=partner, events=missing, days=SEED_DAYS, customers=200, seed=partner.pk,
        progress=lambda n: n % 1_000_000 == 0 and print(f"  {n:,}", flush=True),
    )
    print(f"  {result.events:,} in {result.seconds:.0f} s ({result.rows_per_second:,.0f} rows/s)")
    return {"events": present + result.events, "loaded_now": result.events,
            "load_seconds": round(result.seconds, 1),
            "load_rows_per_second": round(result.rows_per_second)}


def _keep_load_figures(data: dict) -> None:
    """Carry the last real load's rate over to a run that found the events already there."""
    previous_path = OUT_DIR / "activity.json"
    if not previous_path.exists():
        return
    previous = json.loads(previous_path.read_text()).get("data", {})
    for key, figures in data.items():
        earlier = previous.get(key, {})
        if not figures["loaded_now"] and "load_rows_per_second" in earlier:
            figures.update({k: v for k, v in earlier.items() if k.startswith("load")})


# --- the page and the API -----------------------------------------------------------------------


def _page_cases(viewer) -> dict:
    from zoneinfo import ZoneInfo

    from django.core.cache import cache
    from django.test import Client
    from django.utils import timezone

    client = Client()
    client.force_login(viewer)
    today = timezone.now().astimezone(ZoneInfo(viewer.time_zone)).date()
    year = {"start": (today - timedelta(days=364)).isoformat(), "end": today.isoformat()}
    preset = {"operation": "key_access_and_downloads"}
    cases = {
        "page_30_days": {},
        "page_1_year": year,
        "page_preset_30_days": preset,
        "page_preset_1_year": {**year, **preset},
    }
    results = {}
    for name, params in cases.items():

        def get(params=params):
            response = client.get("/settings/activity-log/", params)
            assert response.status_code == 200, response.status_code

        results[name] = _timed(get)
        print(f"  {name:<28} median {results[name]['median_ms']:>8} ms   "
              f"p95 {results[name]['p95_ms']:>8} ms")
    # The first view of a range after a day has passed counts its closed days afresh.
    for name, params in (("page_30_days_cold_counts", {}), ("page_1_year_cold_counts", year)):
        results[name] = _timed(
            lambda params=params: (cache.clear(), client.get("/settings/activity-log/", params)),
            runs=10,
        )
    # A later page costs what the first does: the cursor is a keyset, not an offset.
    first = client.get("/settings/activity-log/").content.decode()
    next_link = first.split('id="next-page" href="?')[1].split('"')[0].replace("&amp;", "&")
    results["page_30_days_next_page"] = _timed(
        lambda: client.get(f"/settings/activity-log/?{next_link}")
    )
    return results


def _api_cases(viewer) -> dict:
    from rest_framework.test import APIClient

    from core.tenancy import partner_scope
    from partners.services import api_token_issue

    with partner_scope(viewer.partner):
        _token, clear = api_token_issue(actor=viewer, name="bench")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {clear}")

    def get(**params):
        response = client.get("/v1/auditrecords", {"size": 100, **params})
        assert response.status_code == 200, response.content
        return response

    token = get().json()["continuationToken"]
    return {
        "api_30_days_size_100": _timed(get),
        "api_30_days_second_page": _timed(lambda: get(continuationToken=token)),
    }


def _part_cases(partner, viewer) -> dict:
    """The page's two queries on their own, to show where its time goes."""
    from zoneinfo import ZoneInfo

    from django.core.cache import cache
    from django.utils import timezone

    from activity_log.forms import KEY_ACCESS_PRESET, ActivityLogForm, default_range
    from activity_log.selectors import event_counts, event_list, event_page
    from core.tenancy import partner_scope

    tz = ZoneInfo(viewer.time_zone)
    first_day, today = default_range(today=timezone.now().astimezone(tz).date())
    year_start = today - timedelta(days=364)

    def filters(start, operation=""):
        form = ActivityLogForm({"start": start.isoformat(), "end": today.isoformat(),
                                "operation": operation})
        assert form.is_valid(), form.errors
        return form.filters(tz=tz)

    results = {}
    with partner_scope(partner):
        for name, chosen in (("30_days", filters(first_day)), ("1_year", filters(year_start)),
                             ("preset_30_days", filters(first_day, KEY_ACCESS_PRESET))):
            results[f"list_{name}"] = _timed(
                lambda chosen=chosen: event_page(filters=chosen, after=None, size=50)
            )
            results[f"chart_{name}"] = _timed(
                lambda chosen=chosen: event_counts(filters=chosen, tz=tz), runs=20
            )
            results[f"chart_{name}_cold"] = _timed(
                lambda chosen=chosen: (cache.clear(), event_counts(filters=chosen, tz=tz)),
                runs=10,
            )
        missing_user = replace(filters(year_start), user_email="nobody@nowhere.example")
        results["list_1_year_user_without_events"] = _timed(
            lambda: event_page(filters=missing_user, after=None, size=50)
        )
        # What an exact totalCount would add to every API page.
        for name, chosen in (("30_days", filters(first_day)), ("1_year", filters(year_start))):
            results[f"count_{name}"] = _timed(
                lambda chosen=chosen: event_list(filters=chosen).count(), runs=10
            )
    return results


# --- plans and index layouts ----------------------------------------------------------------------


def _queries(partner, viewer) -> dict[str, tuple[str, list]]:
    """The SQL the page runs: first page for 30 days and a year, the preset, and the chart's
    GROUP BY for 30 days as it runs when no count is cached yet."""
    from zoneinfo import ZoneInfo

    from django.db.models import Count, DateField
    from django.db.models.functions import Trunc
    from django.utils import timezone

    from activity.models import KEY_ACCESS_AND_DOWNLOADS
    from activity_log.selectors import EventFilters, day_range, event_list, event_period_counts
    from core.tenancy import partner_scope

    tz = ZoneInfo(viewer.time_zone)
    now = timezone.now()
    month, year = now - timedelta(days=30), now - timedelta(days=365)
    today = now.astimezone(tz).date()
    month_start, month_end = day_range(first_day=today - timedelta(days=29), last_day=today, tz=tz)
    with partner_scope(partner):
        def page(start, **extra):
            return event_list(filters=EventFilters(start=start, end=now, **extra))[:51]

        chart = event_period_counts(
            filters=EventFilters(start=month_start, end=month_end), tz=tz, kind="day"
        )
        # The same count read from the events themselves, as user and customer filters do.
        chart_from_events = (
            event_list(filters=EventFilters(start=month_start, end=month_end))
            .select_related(None)
            .annotate(period=Trunc("occurred_at", "day", output_field=DateField(), tzinfo=tz))
            .order_by().values_list("period").annotate(events=Count("pk"))
        )
        querysets = {
            "first_page_30_days": page(month),
            "first_page_1_year": page(year),
            "first_page_preset_1_year": page(year,
                                             operation_types=tuple(KEY_ACCESS_AND_DOWNLOADS)),
            "chart_30_days": chart,
            "chart_30_days_from_events": chart_from_events,
        }
        return {name: qs.query.sql_with_params() for name, qs in querysets.items()}


def _explain(cursor, sql: str, params, *, analyze_text: bool = False):
    if analyze_text:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())
    cursor.execute(f"EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) {sql}", params)
    plan = cursor.fetchone()[0][0]
    return plan["Planning Time"] + plan["Execution Time"], _index_names(plan["Plan"])


def _index_names(node: dict) -> list[str]:
    found = [f"{node['Node Type']} {node.get('Index Name', '')}".strip()]
    for child in node.get("Plans", []):
        found.extend(_index_names(child))
    return found


def _server_times(cursor, queries: dict, table: str = "activity_event") -> dict:
    results = {}
    for name, (sql, params) in queries.items():
        sql = sql.replace('"activity_event"', f'"{table}"')
        samples, nodes = [], []
        for _ in range(PLAN_RUNS):
            milliseconds, nodes = _explain(cursor, sql, params)
            samples.append(milliseconds / 1000)
        results[name] = {**_summary(samples), "plan_nodes": nodes}
    return results


def _size(cursor, relation: str) -> int:
    cursor.execute("SELECT pg_relation_size(%s)", [relation])
    return cursor.fetchone()[0]


def _btree_vs_brin(queries: dict) -> dict:
    from django.db import connection, transaction

    # The quarter-hour counts do not read the events table, so its index does not matter to them.
    page_queries = {k: v for k, v in queries.items()
                    if k not in ("first_page_preset_1_year", "chart_30_days")}
    with connection.cursor() as cursor:
        btree = _server_times(cursor, page_queries)
        btree_size = _size(cursor, "activity_partner_time")
        try:
            with transaction.atomic():
                # Everything here is rolled back: the schema stays as the migrations made it.
                cursor.execute("DROP INDEX activity_partner_time")
                started = time.perf_counter()
                cursor.execute(
                    "CREATE INDEX bench_partner_time_brin ON activity_event "
                    "USING brin (partner_id, occurred_at) WITH (pages_per_range = 32)"
                )
                brin_build = time.perf_counter() - started
                brin = _server_times(cursor, page_queries)
                brin_size = _size(cursor, "bench_partner_time_brin")
                raise _Rollback
        except _Rollback:
            pass
    return {
        "btree": {"index": "(partner_id, occurred_at, id)", "bytes": btree_size,
                  "queries": btree},
        "brin": {"index": "brin (partner_id, occurred_at), pages_per_range 32",
                 "bytes": brin_size, "build_seconds": round(brin_build, 1), "queries": brin},
    }


class _Rollback(Exception):
    pass


def _partitioning(queries: dict) -> dict:
    """The same queries on a monthly range-partitioned copy with the same indexes."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM activity_event")
        rows = cursor.fetchone()[0]
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [PARTITIONED_TABLE])
        copied = cursor.fetchone()[0]
        if copied:
            # Each run adds a few events (its exports, its sign-ins); a copy that close will do.
            cursor.execute(f"SELECT count(*) FROM {PARTITIONED_TABLE}")  # noqa: S608
            copied = abs(cursor.fetchone()[0] - rows) < 10_000
        build_seconds = None
        if not copied:
            print(f"  building {PARTITIONED_TABLE} (a one-off copy of {rows:,} rows) ...")
            started = time.perf_counter()
            _build_partitioned_copy(cursor)
            build_seconds = round(time.perf_counter() - started, 1)
        cursor.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = %s::regclass",
                       [PARTITIONED_TABLE])
        partitions = cursor.fetchone()[0]
        on_events = {k: v for k, v in queries.items() if k != "chart_30_days"}
        plain = _server_times(cursor, on_events)
        partitioned = _server_times(cursor, on_events, table=PARTITIONED_TABLE)
    return {"partitions": partitions, "build_seconds": build_seconds,
            "plain": plain, "monthly_partitions": partitioned}


def _build_partitioned_copy(cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {PARTITIONED_TABLE}")
    # A partitioned table's primary key must hold the partition key.
    cursor.execute(
        f"CREATE TABLE {PARTITIONED_TABLE} (LIKE activity_event INCLUDING DEFAULTS, "
        f"PRIMARY KEY (id, occurred_at)) PARTITION BY RANGE (occurred_at)"
    )
    cursor.execute("SELECT date_trunc('month', min(occurred_at)), max(occurred_at) "
                   "FROM activity_event")
    month, last = cursor.fetchone()
    while month <= last:
        following = (month + timedelta(days=32)).replace(day=1)
        cursor.execute(
            f"CREATE TABLE {PARTITIONED_TABLE}_{month:%Y%m} PARTITION OF {PARTITIONED_TABLE} "
            "FOR VALUES FROM (%s) TO (%s)", [month, following],
        )
        month = following
    cursor.execute(f"INSERT INTO {PARTITIONED_TABLE} SELECT * FROM activity_event "  # noqa: S608
                   "ORDER BY occurred_at")
    cursor.execute(f"CREATE INDEX ON {PARTITIONED_TABLE} (partner_id, occurred_at, id)")
    cursor.execute(
        f"CREATE INDEX ON {PARTITIONED_TABLE} (partner_id, occurred_at, id) WHERE operation_type "
        "IN ('get_software_key', 'get_software_download_link', 'software_download')"
    )
    cursor.execute(f"VACUUM (ANALYZE) {PARTITIONED_TABLE}")


def _plans_text(queries: dict) -> dict[str, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        return {name: _explain(cursor, sql, params, analyze_text=True)
                for name, (sql, params) in queries.items()}


# --- the CSV export, in a subprocess of its own --------------------------------------------------


def _peak_rss_mb() -> float:
    """This process's peak resident memory since it started running this program.

    ru_maxrss would not do: after fork and exec it still holds the parent's peak (Linux keeps
    the largest of the process's address spaces), so it would report the bench, not the export.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _export_child(database_url: str) -> None:
    """Export the 1-million-event partner's longest range through the page's view; print figures."""
    _django(database_url)
    from django.test import Client
    from django.urls import resolve
    from django.utils import timezone

    from activity_log.ranges import MAX_RANGE_DAYS

    _partner, viewer = _partner_and_viewer(SMALL[0], SMALL[1])
    client = Client()
    client.force_login(viewer)
    resolve("/")  # loads the URLconf, as a running server has before its first export
    today = timezone.now().date()
    before_mb = _peak_rss_mb()
    started = time.perf_counter()
    # The longest range the log exports in one file: most of the SEED_DAYS of events.
    response = client.get("/settings/activity-log/export.csv", {
        "start": (today - timedelta(days=MAX_RANGE_DAYS - 1)).isoformat(), "end": today.isoformat(),
    })
    assert response.status_code == 200, response.status_code
    lines = size = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
        size += len(chunk)
    seconds = time.perf_counter() - started
    print(json.dumps({
        "rows": lines - 1, "bytes": size, "seconds": round(seconds, 2),
        "rows_per_second": round((lines - 1) / seconds),
        "peak_rss_mb": _peak_rss_mb(), "rss_before_export_mb": before_mb,
    }))


def _export(database_url: str) -> dict:
    """EXPORT_RUNS exports, each in a fresh process; the median run's figures, and all runs."""
    runs = []
    for _ in range(EXPORT_RUNS):
        result = subprocess.run(  # noqa: S603 - our own script, fixed arguments
            [sys.executable, __file__, "--export-child", "--database-url", database_url],
            capture_output=True, text=True, check=True, cwd=REPO,
        )
        runs.append(json.loads(result.stdout.strip().splitlines()[-1]))
    median = sorted(runs, key=lambda run: run["rows_per_second"])[len(runs) // 2]
    return {**median, "peak_rss_mb": max(run["peak_rss_mb"] for run in runs), "runs": runs}


# --- report ------------------------------------------------------------------------------------


def _machine() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
    return {"cpus": os.cpu_count(), "python": platform.python_version(),
            "postgresql": version, "shared_buffers": shared_buffers,
            "load_average": [round(x, 2) for x in os.getloadavg()]}


def _sizes() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c JOIN pg_index i "
            "ON i.indexrelid = c.oid WHERE i.indrelid = 'activity_event'::regclass ORDER BY 1"
        )
        indexes = dict(cursor.fetchall())
        table = _size(cursor, "activity_event")
    return {"table_bytes": table, "index_bytes": indexes}


def _markdown(report: dict) -> str:
    def row(name, figures):
        return (f"| {name} | {figures['median_ms']} | {figures['p95_ms']} | "
                f"{figures.get('python_cpu_median_ms', '')} |")

    pages, parts, api = report["page"], report["parts"], report["api"]
    page_target = TARGETS["page_30_days_p95_ms"]
    page_met = pages["page_30_days"]["p95_ms"] < page_target
    export = report["csv_export"]
    lines = [
        "# Activity log benchmark",
        "",
        f"Measured by `make bench` (`scripts/bench_activity.py`) on {report['measured_at']}: "
        f"{report['machine']['cpus']} CPUs, PostgreSQL {report['machine']['postgresql']} "
        f"(shared_buffers {report['machine']['shared_buffers']}), load average at start "
        f"{report['machine']['load_average']}. {report['data']['big']['events']:,} events for "
        f"one partner and {report['data']['small']['events']:,} for another, spread over "
        f"{SEED_DAYS} days. Server time through Django's test client (middleware, queries, "
        f"template), {RUNS} runs after {WARMUP} warm-up runs. Load average at the end "
        f"{report['machine'].get('load_average_at_end')}.",
        "",
        *[
            f"Loaded with `seed_activity` (COPY): {figures['events']:,} events at "
            f"{figures['load_rows_per_second']:,} rows/s ({figures['load_seconds']} s)."
            for figures in report["data"].values() if "load_rows_per_second" in figures
        ],
        "",
        "## First page (10 million events)",
        "",
        "| case | median ms | p95 ms | Python CPU median ms |",
        "|---|---|---|---|",
        *[row(name, figures) for name, figures in pages.items()],
        *[row(name, figures) for name, figures in api.items()],
        "",
        f"Target: p95 under {page_target} ms for 30 days — {'met' if page_met else 'MISSED'}.",
        "",
        "`page_*` run with the chart's settled day counts cached, as for every view after the "
        "first of the day; `*_cold_counts` clear that cache before each request, so the chart "
        "adds up every day of the range from the quarter-hour counts (EventCount). "
        "`count_*` below is what an exact `totalCount` would add to every API page. "
        "Python CPU is the web process's own CPU time per request: it leaves out waiting for "
        "the database and for a free CPU on a busy machine.",
        "",
        "Where the time goes (the selectors alone):",
        "",
        "| query | median ms | p95 ms | Python CPU median ms |",
        "|---|---|---|---|",
        *[row(name, figures) for name, figures in parts.items()],
        "",
        "## CSV export (366 days of the 1-million-event partner)",
        "",
        f"Through the page's export view in a fresh process, {EXPORT_RUNS} times; peak RSS is "
        "the process's VmHWM (ru_maxrss after fork and exec reports the parent's peak).",
        "",
        "| run | rows | seconds | rows/s | peak RSS MB | RSS before export MB |",
        "|---|---|---|---|---|---|",
        *[
            f"| {n} | {run['rows']:,} | {run['seconds']} | {run['rows_per_second']:,} | "
            f"{run['peak_rss_mb']} | {run['rss_before_export_mb']} |"
            for n, run in enumerate(export["runs"], start=1)
        ],
        "",
        f"Median run {export['rows_per_second']:,} rows/s, highest peak RSS "
        f"{export['peak_rss_mb']} MB.",
        "",
        f"Targets: at least {TARGETS['csv_rows_per_second']:,} rows/s and peak RSS under "
        f"{TARGETS['csv_peak_rss_mb']} MB.",
        "",
    ]
    layouts = report.get("btree_vs_brin")
    if layouts:
        lines += [
            "## B-tree against BRIN (EXPLAIN ANALYZE server time, ms)",
            "",
            f"Measured on {report.get('layouts_measured_at', report['measured_at'])}.",
            "",
            f"B-tree {layouts['btree']['index']}: {layouts['btree']['bytes'] / 2**20:.0f} MB. "
            f"BRIN {layouts['brin']['index']}: {layouts['brin']['bytes'] / 2**10:.0f} kB.",
            "",
            "| query | B-tree median | B-tree p95 | BRIN median | BRIN p95 |",
            "|---|---|---|---|---|",
            *[
                f"| {name} | {figures['median_ms']} | {figures['p95_ms']} | "
                f"{layouts['brin']['queries'][name]['median_ms']} | "
                f"{layouts['brin']['queries'][name]['p95_ms']} |"
                for name, figures in layouts["btree"]["queries"].items()
            ],
            "",
        ]
    partitioning = report.get("partitioning")
    if partitioning:
        lines += [
            f"## Plain table against {partitioning['partitions']} monthly partitions "
            "(EXPLAIN ANALYZE server time, ms)",
            "",
            "| query | plain median | plain p95 | partitioned median | partitioned p95 |",
            "|---|---|---|---|---|",
            *[
                f"| {name} | {figures['median_ms']} | {figures['p95_ms']} | "
                f"{partitioning['monthly_partitions'][name]['median_ms']} | "
                f"{partitioning['monthly_partitions'][name]['p95_ms']} |"
                for name, figures in partitioning["plain"].items()
            ],
            "",
        ]
    lines += ["## Plans (EXPLAIN ANALYZE, BUFFERS)", ""]
    for name, plan in report["plans"].items():
        lines += [f"### {name}", "", "```", plan, "```", ""]
    return "\n".join(lines)


def _previous_layouts() -> dict:
    path = OUT_DIR / "activity.json"
    previous = json.loads(path.read_text()) if path.exists() else {}
    kept = {key: previous[key] for key in ("btree_vs_brin", "partitioning") if key in previous}
    if kept:
        kept["layouts_measured_at"] = previous.get("layouts_measured_at", previous["measured_at"])
    return kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL")
                        or DEFAULT_DATABASE_URL)
    parser.add_argument("--skip-layouts", action="store_true",
                        help="Skip the B-tree/BRIN and partitioning comparisons.")
    parser.add_argument("--export-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_child:
        _export_child(args.database_url)
        return

    bench_database_ensure(args.database_url)
    _django(args.database_url)
    from django.core.management import call_command
    from django.test.utils import override_settings

    call_command("migrate", verbosity=0)
    # Production's manifest storage, as DEBUG is off: pages link hashed static files.
    call_command("collectstatic", interactive=False, verbosity=0)
    report = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
              "machine": _machine(), "targets": TARGETS, "data": {}}
    big, big_viewer = _partner_and_viewer(BIG[0], BIG[1])
    small, _small_viewer = _partner_and_viewer(SMALL[0], SMALL[1])
    report["data"]["big"] = _load(big, BIG[2])
    report["data"]["small"] = _load(small, SMALL[2])
    _keep_load_figures(report["data"])
    report["sizes"] = _sizes()

    print("First page, 10 million events:")
    # Production keeps the chart's settled counts in Redis; the bench keeps them in its own
    # process memory, so that clearing them for the cold figures touches nobody else's data.
    with override_settings(CACHES={"default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 1_000_000},
    }}):
        report["page"] = _page_cases(big_viewer)
        report["api"] = _api_cases(big_viewer)
        report["parts"] = _part_cases(big, big_viewer)
    print("CSV export, 366 days of 1 million events ...")
    report["csv_export"] = _export(args.database_url)
    print(f"  {report['csv_export']}")
    queries = _queries(big, big_viewer)
    if not args.skip_layouts:
        print("B-tree against BRIN ...")
        report["btree_vs_brin"] = _btree_vs_brin(queries)
        print("Monthly partitions ...")
        report["partitioning"] = _partitioning(queries)
        report["layouts_measured_at"] = report["measured_at"]
    else:
        # The comparisons rebuild ten million rows (make bench skips them): keep the last ones.
        report.update(_previous_layouts())
    report["plans"] = _plans_text(queries)
    report["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "activity.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    (OUT_DIR / "activity.md").write_text(_markdown(report))
    print(f"Wrote {OUT_DIR / 'activity.json'} and {OUT_DIR / 'activity.md'}")


if __name__ == "__main__":
    main()
