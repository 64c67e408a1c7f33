#!/usr/bin/env python
"""Downloads per second through the counting endpoint: streamed by the portal against presigned.

One run, one database, the same links: `GET /downloads/{token}` with DOWNLOAD_DELIVERY=django
(the web node counts the download and streams the file from local disk) and with
DOWNLOAD_DELIVERY=storage-url (it counts the download and answers 302 to a presigned URL of an
S3-compatible bucket, Moto's server here, which serves the bytes). The two alternate, twice
each, under the load benchmark's server and wrk settings (scripts/bench_load.py); every
variant's file is replaced by one of --file-mib MiB first, the same bytes on disk and in the
bucket. wrk does not follow the redirect: the figure is the web node's, the bytes the store's.

Writes docs/benchmarks/delivery.md and delivery.json. `make bench-delivery` runs it on its own
database (BENCH_LOAD_DATABASE_URL, seeded with seed_demo --scale 20 on the first run).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from bench_database import bench_database_ensure
from bench_load import (
    DEFAULT_DATABASE_URL,
    DEFAULT_REDIS_URL,
    DOWNLOADS_PER_LINK,
    PEAK_CONNECTIONS,
    REPO,
    SERVING,
    CpuMeter,
    Endpoint,
    Server,
    _actor,
    _environment,
    _manage,
    _measure,
    _seeded_partners,
    _virtual_partners,
    _with_download_links,
    _wrk,
)

OUT_DIR = REPO / "docs" / "benchmarks"
SCALE = 20
ROUNDS = 2
WARMUP_SECONDS = 2
MEASURE_SECONDS = 10
MODES = {"django": "streamed by the portal", "storage-url": "presigned URL of the bucket"}


def _large_files(file_mib: int) -> int:
    """Give every variant a file of file_mib MiB (deterministic bytes); the count of variants."""
    from catalog.models import SoftwareVariant
    from catalog.services import software_variant_store

    variants = list(SoftwareVariant.objects.select_related("product"))
    for variant in variants:
        seed = f"{variant.product_id}/{variant.pk}".encode()
        block = (seed * (1024 // len(seed) + 1))[:1024]
        software_variant_store(
            product=variant.product,
            version=variant.version,
            language=variant.language,
            file_type=variant.file_type,
            filename=f"bench-{file_mib}mib-{variant.pk}.iso",
            content=block * (1024 * file_mib),
        )
    return len(variants)


def _files_to_bucket(s3, bucket: str) -> None:
    from django.core.files.storage import default_storage

    from catalog.models import SoftwareVariant

    client = s3.client()
    for name in SoftwareVariant.objects.values_list("file", flat=True):
        with default_storage.open(name, "rb") as handle:
            client.upload_fileobj(handle, bucket, name)


def _run(server, meter, endpoint, actors) -> dict:
    expected = 400 * (WARMUP_SECONDS + MEASURE_SECONDS)
    _with_download_links(endpoint, actors, server, expected)
    workdir = Path(tempfile.mkdtemp(prefix="bench-delivery-"))
    _wrk(
        server, endpoint, seconds=WARMUP_SECONDS, connections=PEAK_CONNECTIONS, rate=0,
        workdir=workdir,
    )
    return _measure(
        server, meter, endpoint, seconds=MEASURE_SECONDS, connections=PEAK_CONNECTIONS, rate=0,
        workdir=workdir,
    )


def _write(results: dict, output: Path) -> None:
    output.mkdir(parents=True, exist_ok=True)
    (output / "delivery.json").write_text(json.dumps(results, indent=2) + "\n")
    rows = []
    for mode, label in MODES.items():
        runs = results["modes"][mode]
        rates = [run["rps"] for run in runs]
        cpu = [run["cpu"]["server_cores"] * 1000 / run["rps"] for run in runs if run["rps"]]
        rows.append(
            f"| {label} (`DOWNLOAD_DELIVERY={mode}`) | "
            f"{' / '.join(f'{r:,.0f}' for r in rates)} | {statistics.median(rates):,.0f} | "
            f"{' / '.join(str(run['p50_ms']) for run in runs)} | "
            f"{' / '.join(str(run['p95_ms']) for run in runs)} | "
            f"{statistics.median(cpu):.1f} |"
        )
    streamed = statistics.median(r["rps"] for r in results["modes"]["django"])
    presigned = statistics.median(r["rps"] for r in results["modes"]["storage-url"])
    machine = results["machine"]
    text = f"""# Download delivery: streamed against presigned

`scripts/bench_delivery.py` ({results["run_at"]}, {machine["cpus"]} cores,
load average before {", ".join(str(v) for v in machine["load_average_before"])}).
`GET /downloads/{{token}}` with fresh links ({DOWNLOADS_PER_LINK} downloads each), each of the
{results["variants"]} variants' files {results["file_mib"]} MiB; gunicorn with the production
settings and {SERVING["workers"]} {SERVING["worker_class"]} workers, PostgreSQL and Redis, wrk
with {PEAK_CONNECTIONS} connections for {MEASURE_SECONDS} s after {WARMUP_SECONDS} s of warm-up,
all on loopback. The two modes alternate, {ROUNDS} rounds each, on the same run and database.

| delivery | downloads/s, each round | median | p50 ms | p95 ms | web CPU ms per download |
|---|---:|---:|---|---|---:|
{chr(10).join(rows)}

Presigned delivery counted **{presigned / streamed:.1f}×** the downloads per second of streamed
delivery ({presigned:,.0f} against {streamed:,.0f}). Every request counted a download in one
transaction either way (reserve the bytes, record the activity event); streamed, the web worker
then read and sent {results["file_mib"]} MiB, while presigned it signed a URL (no request to
the store) and answered 302, and the store served the bytes. wrk does not follow the redirect,
so the store's own transfer is not in these figures: on a real deployment it is the object
store's bandwidth, not a web worker held for the length of a multi-gigabyte transfer.
"""
    (output / "delivery.md").write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=SCALE, help="seed_demo --scale (default 20)")
    parser.add_argument("--file-mib", type=int, default=8, help="size of each variant's file")
    parser.add_argument("--output", type=Path, default=OUT_DIR)
    args = parser.parse_args()

    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    env = _environment(database_url, redis_url)
    os.environ.update(env)
    sys.path.insert(0, str(REPO))
    bench_database_ensure(database_url)
    _manage("migrate", "--noinput", "-v", "0")
    _manage("collectstatic", "--noinput", "-v", "0")

    import django

    django.setup()
    from demo.partners import demo_password
    from tests.faults.servers import private_s3

    if _seeded_partners(args.scale) < args.scale:
        print(f"Seeding the database: seed_demo --scale {args.scale} (once) ...", flush=True)
        _manage("seed_demo", "--scale", str(args.scale))
    load_before = os.getloadavg()
    variants = _large_files(args.file_mib)
    rng = random.Random(20260101)
    actors = [
        _actor(p, rng, demo_password()) for p in _virtual_partners(args.scale, args.scale)
    ]
    results = {"modes": {mode: [] for mode in MODES}}
    with private_s3() as s3:
        bucket = s3.bucket_create(f"bench-{uuid.uuid4().hex[:12]}")
        _files_to_bucket(s3, bucket)
        for round_number in range(ROUNDS):
            for mode in MODES:
                mode_env = {**env, "DOWNLOAD_DELIVERY": mode}
                if mode == "storage-url":
                    mode_env.update(s3.env(bucket))
                log = Path(tempfile.mkdtemp(prefix="bench-delivery-")) / "gunicorn.log"
                server = Server(mode_env, log)
                try:
                    meter = CpuMeter(server.process.pid, urlsplit(database_url).path.lstrip("/"))
                    endpoint = Endpoint("download", "GET /downloads/{token}", "write",
                                        sequential=True)
                    figures = _run(server, meter, endpoint, actors)
                finally:
                    server.stop()
                print(f"round {round_number + 1}, {mode}: {figures['rps']:.0f} downloads/s",
                      flush=True)
                results["modes"][mode].append(figures)
    results.update(
        run_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        machine={
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "load_average_before": [round(v, 2) for v in load_before],
        },
        variants=variants,
        file_mib=args.file_mib,
    )
    _write(results, args.output)
    print(f"Wrote {args.output / 'delivery.md'} and delivery.json")


if __name__ == "__main__":
    main()
