"""The benchmarks' URL module: the portal's routes plus three ceilings, nothing else."""

import pytest
from django.test import Client, override_settings
from django.urls import get_resolver

from csp_portal import bench_urls, urls


def test_the_bench_urls_are_the_portals_plus_the_three_ceiling_views():
    portal = {str(pattern.pattern) for pattern in urls.urlpatterns}
    bench = {str(pattern.pattern) for pattern in bench_urls.urlpatterns}
    assert bench - portal == {"bench/trivial", "bench/signed-in", "bench/select1"}
    assert portal <= bench
    assert "bench/trivial" not in {str(p.pattern) for p in get_resolver().url_patterns}


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="csp_portal.bench_urls")
def test_the_ceiling_views_answer_without_signing_in():
    client = Client()
    assert client.get("/bench/trivial").json() == {"status": "ok"}
    assert client.get("/bench/select1").json() == {"status": "ok", "value": 1}


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="csp_portal.bench_urls")
def test_the_signed_in_ceiling_sends_a_visitor_to_sign_in_and_answers_a_signed_in_user(
    global_admin,
):
    client = Client()
    assert client.get("/bench/signed-in").status_code == 302
    client.force_login(global_admin)
    assert client.get("/bench/signed-in").json() == {"status": "ok"}
