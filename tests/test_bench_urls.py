"""The load benchmark's URL module: the portal's routes plus two ceilings, nothing else."""

import pytest
from django.test import Client, override_settings
from django.urls import get_resolver

from csp_portal import bench_urls, urls


def test_the_bench_urls_are_the_portals_plus_the_two_ceiling_views():
    portal = {str(pattern.pattern) for pattern in urls.urlpatterns}
    bench = {str(pattern.pattern) for pattern in bench_urls.urlpatterns}
    assert bench - portal == {"bench/trivial", "bench/select1"}
    assert portal <= bench
    assert "bench/trivial" not in {str(p.pattern) for p in get_resolver().url_patterns}


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="csp_portal.bench_urls")
def test_the_ceiling_views_answer_without_signing_in():
    client = Client()
    assert client.get("/bench/trivial").json() == {"status": "ok"}
    assert client.get("/bench/select1").json() == {"status": "ok", "value": 1}
