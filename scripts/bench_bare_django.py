"""The bare-Django ceiling of scripts/bench_speed.py: one JSON view behind CommonMiddleware only,
configured here, outside the portal's settings, so it shows what Django itself costs on this
machine.

gunicorn serves `bench_bare_django:application` (from scripts/); run as a script, it prints the
in-process CPU ms per request (median over N requests through Django's test client) as JSON.
"""

from __future__ import annotations

import json
import statistics
import sys
import time

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-bare-django-not-a-secret-0123456789abcdef",
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=["127.0.0.1", "localhost", "testserver"],
    MIDDLEWARE=["django.middleware.common.CommonMiddleware"],
    INSTALLED_APPS=[],
    USE_TZ=True,
)
django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402 - after settings.configure
from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402


def trivial_view(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [path("bench/trivial", trivial_view)]
application = get_wsgi_application()


def cpu_ms_per_request(requests: int) -> float:
    """Return the median CPU ms of one request through Django's test client."""
    from django.test import Client

    client = Client()
    for _ in range(20):
        client.get("/bench/trivial")
    samples = []
    for _ in range(requests):
        started = time.process_time()
        client.get("/bench/trivial")
        samples.append(time.process_time() - started)
    return round(statistics.median(samples) * 1000, 3)


if __name__ == "__main__":
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    print(json.dumps({"cpu_ms": cpu_ms_per_request(requests)}))
