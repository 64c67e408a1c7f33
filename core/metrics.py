"""Prometheus metrics: requests by route and status, database queries, Celery tasks and queue
depth, and the portal's own counters.

Each process counts what it does; with PROMETHEUS_MULTIPROC_DIR set (gunicorn's workers, a
prefork worker's children) the processes of one node write to files there and a scrape adds
them up. Web nodes answer GET /metrics with `Authorization: Bearer $METRICS_TOKEN`; a worker
serves its own on METRICS_WORKER_PORT. Nothing here is public.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Callable

from celery import current_app
from django.conf import settings
from django.db import connection
from kombu.exceptions import ChannelError
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

logger = logging.getLogger(__name__)

REQUEST_SECONDS = Histogram(
    "portal_http_request_duration_seconds",
    "Time to answer a request, by route name, method and status.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
REQUEST_QUERIES = Histogram(
    "portal_http_request_db_queries",
    "Database queries one request made, by route name.",
    ["route"],
    buckets=(0, 1, 2, 5, 10, 20, 50, 100, 200),
)
TASKS = Counter(
    "portal_celery_tasks", "Celery tasks run, by task and outcome.", ["task", "outcome"]
)
TASK_SECONDS = Histogram(
    "portal_celery_task_duration_seconds",
    "Time a Celery task ran, by task.",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300),
)
DOWNLOADS_COUNTED = Counter(
    "portal_downloads_counted", "Downloads counted against a link's allowance."
)
DOWNLOADS_REFUSED = Counter(
    "portal_downloads_refused", "Download requests refused, by reason.", ["reason"]
)
# Read when scraped, from the database or the broker, by the apps that own the data: the same
# on every node (aggregate them with max, not sum), exact whatever process did the work or died.
# (kind, name, help, labels, read) where read() gives {label values: value}.
_scrape_reads: list[tuple[str, str, str, tuple[str, ...], Callable[[], dict]]] = []


def scrape_gauge_register(
    name: str, documentation: str, read: Callable[[], dict], *, labels: tuple[str, ...] = ()
) -> None:
    """Add a gauge whose values read() gives at each scrape ({label values: value})."""
    _scrape_register("gauge", name, documentation, labels, read)


def scrape_counter_register(
    name: str, documentation: str, read: Callable[[], dict], *, labels: tuple[str, ...] = ()
) -> None:
    """Add a counter (a total that only grows, as rows that are never deleted) read at scrape."""
    _scrape_register("counter", name, documentation, labels, read)


def _scrape_register(kind, name, documentation, labels, read) -> None:
    if all(existing[1] != name for existing in _scrape_reads):
        _scrape_reads.append((kind, name, documentation, labels, read))


class ScrapeReads:
    """The metrics read at scrape time; one that cannot be read is left out, not an error."""

    def describe(self):
        # Without it, registering would read every gauge at once, at import time.
        return []

    def collect(self):
        for kind, name, documentation, labels, read in _scrape_reads:
            try:
                values = read()
            except Exception:  # noqa: BLE001 - a broker or database outage must not fail a scrape
                logger.warning("metric %s could not be read", name, exc_info=True)
                continue
            family_class = CounterMetricFamily if kind == "counter" else GaugeMetricFamily
            family = family_class(name, documentation, labels=list(labels))
            for label_values, value in values.items():
                family.add_metric(list(label_values), value)
            yield family


_SCRAPE_READS = ScrapeReads()
_MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
if not _MULTIPROCESS:
    REGISTRY.register(_SCRAPE_READS)


def metrics_registry() -> CollectorRegistry:
    """This node's metrics: every process of it (multiprocess mode) or this one alone."""
    if not _MULTIPROCESS:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(_SCRAPE_READS)
    return registry


def metrics_authorized(header: str) -> bool:
    """Whether an Authorization header carries METRICS_TOKEN (never, when none is set)."""
    token = settings.METRICS_TOKEN
    if not token:
        return False
    scheme, _, value = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip(), token)


def metrics_payload() -> tuple[bytes, str]:
    return generate_latest(metrics_registry()), CONTENT_TYPE_LATEST


# Anything else a client sends is "other": a label per invented method would grow without end.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _route(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None and match.view_name else "unmatched"


class MetricsMiddleware:
    """Time every request and count its database queries, by route name and status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        queries = [0]

        def count(execute, sql, params, many, context):
            queries[0] += 1
            return execute(sql, params, many, context)

        started = time.perf_counter()
        with connection.execute_wrapper(count):
            response = self.get_response(request)
        route = _route(request)
        method = request.method if request.method in _METHODS else "other"
        REQUEST_SECONDS.labels(
            route=route, method=method, status=str(response.status_code)
        ).observe(time.perf_counter() - started)
        REQUEST_QUERIES.labels(route=route).observe(queries[0])
        return response


_task_started: dict[str, float] = {}


def task_started(task_id: str | None = None, **_kwargs) -> None:
    """Celery's task_prerun: note when the task began."""
    if task_id is not None:
        _task_started[task_id] = time.perf_counter()


def task_finished(task_id: str | None = None, task=None, state: str | None = None, **_kw) -> None:
    """Celery's task_postrun: count the outcome (success, failure, retry) and the duration."""
    started = _task_started.pop(task_id, None) if task_id is not None else None
    name = getattr(task, "name", "unknown")
    TASKS.labels(task=name, outcome=(state or "unknown").lower()).inc()
    if started is not None:
        TASK_SECONDS.labels(task=name).observe(time.perf_counter() - started)


def queue_depths() -> dict[tuple[str, ...], int]:
    """Messages waiting in each Celery queue of the broker (Redis or the file-system one)."""
    app = current_app._get_current_object()
    names = {queue.name for queue in app.amqp.queues.values()} or {app.conf.task_default_queue}
    depths = {}
    with app.connection_for_read() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        channel = conn.default_channel
        for name in sorted(names):
            try:
                depth = channel.queue_declare(queue=name, passive=True).message_count
            except ChannelError:  # Redis drops the key of a queue that ran empty
                depth = 0
            depths[(name,)] = depth
    return depths


def worker_metrics_serve(**_kwargs) -> None:
    """Celery's worker_init: serve the worker node's metrics on METRICS_WORKER_PORT, if set."""
    port = os.environ.get("METRICS_WORKER_PORT")
    if port:
        address = os.environ.get("METRICS_WORKER_ADDRESS", "127.0.0.1")
        start_http_server(int(port), addr=address, registry=metrics_registry())


scrape_gauge_register(
    "portal_celery_queue_depth", "Messages waiting in a Celery queue.", queue_depths,
    labels=("queue",),
)
