"""The CSP header, built once per policy, is the one django-csp builds, and follows the settings."""

from csp.utils import build_policy
from django.test import Client, override_settings

POLICY = {"DIRECTIVES": {"default-src": ["'self'"], "img-src": ["'self'", "https://cdn.example"]}}


def test_a_page_carries_the_policy_of_the_settings(db):
    response = Client().get("/accounts/login/")
    assert response["Content-Security-Policy"] == build_policy()
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_a_changed_policy_shows_on_the_next_response(db):
    Client().get("/accounts/login/")
    with override_settings(CONTENT_SECURITY_POLICY=POLICY):
        response = Client().get("/accounts/login/")
        assert response["Content-Security-Policy"] == build_policy()
    assert "img-src 'self' https://cdn.example" in response["Content-Security-Policy"]
    assert Client().get("/accounts/login/")["Content-Security-Policy"] == build_policy()


def test_a_view_that_widens_the_policy_keeps_its_own_header(db):
    docs = Client().get("/v1/docs/")
    assert "worker-src blob:" in docs["Content-Security-Policy"]
    assert "'unsafe-inline'" in docs["Content-Security-Policy"]
    assert "worker-src" not in Client().get("/accounts/login/")["Content-Security-Policy"]
