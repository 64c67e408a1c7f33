"""The load benchmark's server (scripts/bench_load.py): production settings, plus the two ceiling
views under /bench/ in their own URL module, so the portal's own routes stay as they are."""

from .prod import *  # noqa: F403

ROOT_URLCONF = "csp_portal.bench_urls"
