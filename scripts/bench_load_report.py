"""The load benchmark's in-process costs, profiles, verdicts and report (scripts/bench_load.py)."""

from __future__ import annotations

import cProfile
import pstats
import time
import uuid
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GOAL_P95_MS = 50.0
GOAL_DOWNLOAD_RATIO = 0.40
GOAL_ORDER_RATIO = 0.20
COST_REQUESTS = 50
PROFILE_REQUESTS = 100
WARMUP_REQUESTS = 5
# Wrappers whose cumulative time is the whole request: they say nothing about where it goes.
_WRAPPERS = (
    "scripts/",
    "core/middleware.py",
    "core/tenancy.py",
    "core/mfa.py",
    "core/access.py",
)
# (group, path fragment, function name): the first match wins; the rest is "other Python".
_GROUPS = (
    ("waiting for PostgreSQL", "psycopg/connection.py", "wait"),
    ("waiting for PostgreSQL", "psycopg/", "_execute_send"),
    ("Redis (sessions, rate limits, cache)", "redis/", ""),
    ("templates", "django/template/", ""),
    ("ORM: SQL compilation", "django/db/models/sql/", ""),
    ("ORM: model instances", "django/db/models/base.py", ""),
    ("DRF", "rest_framework/", ""),
)


def requests_needed() -> int:
    return WARMUP_REQUESTS + 1 + COST_REQUESTS + PROFILE_REQUESTS


def client_request(client, request: dict, *, idempotency_key: bool):
    """Send one of the bench's requests through Django's test client; read its whole body."""
    headers = dict(request["headers"])
    if "Cookie" in headers:
        client.cookies.load(headers.pop("Cookie"))
    if idempotency_key:
        headers["Idempotency-Key"] = uuid.uuid4().hex
    content_type = headers.pop("Content-Type", "application/octet-stream")
    response = client.generic(
        request["method"],
        request["path"],
        data=request.get("body", ""),
        content_type=content_type,
        headers=headers,
    )
    b"".join(response) if response.streaming else response.content  # noqa: B018
    return response


def costs(endpoint, *, downloads_per_link: int, profile: bool) -> dict:
    """What one request costs this process through Django's whole stack (the test client, the
    same settings and data): CPU and wall time, queries, and optionally a cProfile."""
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    requests = endpoint.requests
    counter = iter(range(10**9))

    def one() -> None:
        n = next(counter)
        if endpoint.sequential:
            request = requests[n // downloads_per_link]
        else:
            request = requests[n % len(requests)]
        response = client_request(client, request, idempotency_key=endpoint.idempotency_keys)
        if response.status_code >= 400:
            raise RuntimeError(f"{endpoint.name} answered {response.status_code} in-process")

    for _ in range(WARMUP_REQUESTS):
        one()
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    # The test client's request_started signal empties the query log, so count at the cursor.
    with connection.execute_wrapper(count):
        one()
    started, started_cpu = time.perf_counter(), time.process_time()
    for _ in range(COST_REQUESTS):
        one()
    result = {
        "queries": len(queries),
        "cpu_ms": round((time.process_time() - started_cpu) / COST_REQUESTS * 1000, 2),
        "wall_ms": round((time.perf_counter() - started) / COST_REQUESTS * 1000, 2),
    }
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(PROFILE_REQUESTS):
            one()
        profiler.disable()
        stats = pstats.Stats(profiler)
        total = stats.total_tt
        result["profile"] = {
            "requests": PROFILE_REQUESTS,
            "groups": {name: round(t / total, 3) for name, t in _groups(stats).items()},
            "portal": _top(stats, total, portal_only=True),
            "own_time": _top(stats, total, portal_only=False),
        }
    return result


def _groups(stats: pstats.Stats) -> dict[str, float]:
    """Own time (tottime) summed by group, so nothing counts twice."""
    groups: dict[str, float] = {}
    for (filename, _line, function), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        name = "other Python (Django, middleware, the portal)"
        for group, fragment, function_name in _GROUPS:
            if fragment in filename and (not function_name or function_name == function):
                name = group
                break
        groups[name] = groups.get(name, 0.0) + tottime
    return dict(sorted(groups.items(), key=lambda item: -item[1]))


def _top(stats: pstats.Stats, total: float, *, portal_only: bool, limit: int = 15) -> list[dict]:
    """The portal's own functions by cumulative time, or any function by own time."""
    rows = []
    for (filename, line, function), (_cc, calls, tottime, cumtime, _callers) in stats.stats.items():
        short = filename.split("site-packages/")[-1].replace(str(REPO) + "/", "")
        if portal_only and (
            not filename.startswith(str(REPO) + "/")
            or ".venv" in filename
            or short.startswith(_WRAPPERS)
        ):
            continue
        rows.append(
            {
                "function": f"{short}:{line}({function})",
                "calls": calls,
                "share": round((cumtime if portal_only else tottime) / total, 3),
            }
        )
    rows.sort(key=lambda row: -row["share"])
    return rows[:limit]


# --- verdicts and the report ------------------------------------------------------------------


def verdicts(rows: list[dict]) -> dict:
    by_name = {row["name"]: row for row in rows}
    trivial = by_name["trivial"]["peak"]["rps"]
    download = by_name["download"]["peak"]["rps"] / trivial
    order = by_name["order_place"]["peak"]["rps"] / trivial
    return {
        "download_ratio": round(download, 3),
        "download_goal_met": download >= GOAL_DOWNLOAD_RATIO,
        "order_ratio": round(order, 3),
        "order_goal_met": order >= GOAL_ORDER_RATIO,
        "reads_over_p95_goal": [
            row["name"]
            for row in rows
            if row["kind"] in ("page", "api read") and row["paced"]["p95_ms"] >= GOAL_P95_MS
        ],
        "endpoints_with_errors": [
            row["name"] for row in rows if row["peak"]["errors"] or row["paced"]["errors"]
        ],
    }


def missed(results: dict) -> set[str]:
    """The endpoints whose goal was missed: they get a profile."""
    found = set(results["verdicts"]["reads_over_p95_goal"])
    if not results["verdicts"]["download_goal_met"]:
        found.add("download")
    if not results["verdicts"]["order_goal_met"]:
        found.add("order_place")
    return found


def _cpu_per_request(row: dict) -> str:
    peak = row["peak"]
    cores = peak["cpu"]["server_cores"] + peak["cpu"]["database_cores"]
    return f"{cores / peak['rps'] * 1000:.1f}" if peak["rps"] else "–"


def markdown(results: dict, *, settings: dict) -> str:
    v = results["verdicts"]
    rows = results["endpoints"]
    trivial = next(r for r in rows if r["name"] == "trivial")["peak"]["rps"]
    machine, data, d = results["machine"], results["data"], results["durations"]
    lines = [
        "# Load benchmark",
        "",
        f"Generated by `make bench-load` (scripts/bench_load.py) on {results['run_at']}: "
        f"{machine['cpus']} CPUs, load average {machine['load_average_before']} before the run "
        f"(1, 5, 15 minutes). gunicorn, {settings['workers']} {settings['worker_class']} "
        "workers, production settings "
        "(`csp_portal.settings.bench`: `prod` plus the two ceiling views); PostgreSQL, Redis and "
        f"the load generator on the same machine. Data: {data['partners']:,} partners, "
        f"{data['customers']:,} customers, {data['orders']:,} orders, {data['purchases']:,} "
        f"purchases. Virtual users: the staff of {len(results['actors'])} partners spread over "
        "the generated ones (a signed-in Sales agent for the pages; an Admin agent with TOTP "
        "and an API token for the API).",
        "",
        f"**Peak**: closed loop, wrk with one thread and {settings['peak_connections']} "
        f"connections for {d['peak']} s after {d['warmup']} s of warm-up. **Paced**: the same "
        f"endpoint at {settings['paced_share']:.0%} of that peak for {d['paced']} s "
        f"({settings['paced_connections']} connections; each request leaves at its scheduled "
        "time, or at once when a connection frees up late); the latencies are from this run. "
        "*late*: requests that left more than 10 ms after their time (the server, or the "
        "machine, could not hold the rate). *CPU ms/req*: gunicorn's and PostgreSQL's CPU "
        "time per request at the peak, which other load on the machine inflates much less "
        "than throughput. *CPU at peak*: cores used by the server / PostgreSQL / wrk / "
        "everything else on the machine.",
        "",
        "| endpoint | peak req/s | paced req/s | p50 ms | p95 ms | p99 ms | late | errors | "
        "ratio to trivial | CPU ms/req | CPU at peak |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        peak, paced, cpu = row["peak"], row["paced"], row["peak"]["cpu"]
        lines.append(
            f"| {row['label']} | {peak['rps']:,.0f} | {paced['rps']:,.0f} | {paced['p50_ms']:.1f}"
            f" | {paced['p95_ms']:.1f} | {paced['p99_ms']:.1f} | {paced['late_share']:.0%} | "
            f"{peak['errors'] + paced['errors']} | {peak['rps'] / trivial:.0%} | "
            f"{_cpu_per_request(row)} | {cpu['server_cores']} / {cpu['database_cores']} / "
            f"{cpu['client_cores']} / {cpu['other_cores']} |"
        )

    def verdict(ok: bool) -> str:
        return "met." if ok else "**missed**."

    lines += [
        "",
        "## Goals",
        "",
        f"- The download reaches {v['download_ratio']:.0%} of the trivial view's throughput "
        f"(goal ≥ {GOAL_DOWNLOAD_RATIO:.0%}): {verdict(v['download_goal_met'])}",
        f"- Order placement reaches {v['order_ratio']:.0%} (goal ≥ {GOAL_ORDER_RATIO:.0%}): "
        f"{verdict(v['order_goal_met'])}",
        f"- Every page and API read answers with p95 under {GOAL_P95_MS:.0f} ms at "
        f"{settings['paced_share']:.0%} of its peak: "
        + (
            "met."
            if not v["reads_over_p95_goal"]
            else "**missed** by " + ", ".join(v["reads_over_p95_goal"]) + "."
        ),
        "- No request failed: "
        + (
            "none did."
            if not v["endpoints_with_errors"]
            else "**errors** in " + ", ".join(v["endpoints_with_errors"]) + "."
        ),
    ]
    mix = results.get("mix")
    if mix:
        cpu = mix["cpu"]
        lines += [
            "",
            "## The mix",
            "",
            f"Locust (FastHttpUser), {mix['users']} users pausing at random (exponentially "
            f"distributed pauses), {mix['tasks_per_second_target']} tasks/s in all on average: "
            f"{settings['paced_share']:.0%} of the "
            f"{mix['requests_capacity']} req/s that the endpoints' peaks allow for this mix. "
            "Task weights: "
            + ", ".join(f"{k} {w}" for k, w in mix["weights"].items())
            + " (issue_and_download issues a link and downloads it). CPU: server "
            f"{cpu['server_cores']}, PostgreSQL {cpu['database_cores']}, Locust "
            f"{cpu['client_cores']}, everything else {cpu['other_cores']} cores.",
            "",
            "| request | count | failures | req/s | p50 ms | p95 ms | p99 ms |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {name} | {r['requests']} | {r['failures']} | {r['rps']} | {r['p50_ms']:.0f} | "
            f"{r['p95_ms']:.0f} | {r['p99_ms']:.0f} |"
            for name, r in mix["rows"].items()
        ]
    in_process = results.get("costs", {})
    if in_process:
        lines += [
            "",
            "## One request, in-process",
            "",
            f"{COST_REQUESTS} requests of each endpoint through Django's whole stack in the "
            "benchmark's own process (Django's test client, the same settings and data): the "
            "CPU time and wall time of one, and its SQL queries.",
            "",
            "| endpoint | queries | CPU ms | wall ms |",
            "|---|---:|---:|---:|",
        ]
        lines += [
            f"| {name} | {c['queries']} | {c['cpu_ms']} | {c['wall_ms']} |"
            for name, c in in_process.items()
        ]
    for name, c in in_process.items():
        profile = c.get("profile")
        if not profile:
            continue
        lines += [
            "",
            f"### Profile: {name}",
            "",
            f"cProfile of {profile['requests']} requests; own time by group: "
            + ", ".join(f"{group} {share:.0%}" for group, share in profile["groups"].items())
            + ".",
            "",
            "| the portal's functions | calls | cumulative |",
            "|---|---:|---:|",
        ]
        lines += [
            f"| `{r['function']}` | {r['calls']} | {r['share']:.0%} |" for r in profile["portal"]
        ]
        lines += ["", "| any function | calls | own time |", "|---|---:|---:|"]
        lines += [
            f"| `{r['function']}` | {r['calls']} | {r['share']:.0%} |" for r in profile["own_time"]
        ]
    lines += [
        "",
        "What limits the endpoints that miss a goal, and what was changed: "
        "[README.md](README.md#load-make-bench-load).",
        "",
    ]
    return "\n".join(lines)


def write(results: dict, output: Path, *, settings: dict, to_json: Callable[[dict], str]) -> None:
    output.mkdir(parents=True, exist_ok=True)
    (output / "load.json").write_text(to_json(results))
    (output / "load.md").write_text(markdown(results, settings=settings))
