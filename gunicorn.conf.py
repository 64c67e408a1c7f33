"""How gunicorn serves the portal wherever it runs: the Dockerfile, docker-compose.yml, `make run`
(scripts/run_portal.py) and `make bench` all start it with this file and add only the address.

Sync workers, 2 per core plus one (WEB_CONCURRENCY overrides): measured by `make bench` on 2 cores
(docs/benchmarks/speed.md), gthread workers of 4 threads held the API reads' p95 at 70 % of their
peak between 40 and 455 ms. Two causes, each seen in the runs. A worker accepts every kept-alive
connection it can, so one of two workers often served most of them on one core while the other
idled. And a worker's threads share one interpreter lock: a request back from PostgreSQL waits
behind another's serialising, once per statement. Five sync processes left both to
the kernel: p95 16 to 28 ms at higher peaks (one run of each, 2026-12-06). A sync worker answers
one request at a time, so slow clients and large downloads belong to the proxy in front
(X-Accel-Redirect) or the bucket (presigned URLs).
"""

import gc
import os

worker_class = "sync"
_cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * _cores + 1))
accesslog = "-"
# Request lines carry download and invitation tokens: the logger redacts them.
logger_class = "core.logging.RedactingGunicornLogger"
control_socket_disable = True


def post_worker_init(worker):
    """Move what loading Django created out of the collector's sight, so that a full collection
    in the middle of a request does not walk the modules, URL patterns and templates again."""
    gc.collect()
    gc.freeze()
