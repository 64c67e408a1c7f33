"""Security headers on every answer the portal gives, and no page with code its CSP would block.

The walk is driven by tests/routes.py, so a route is covered the day it is added.
"""

from __future__ import annotations

import importlib

import pytest
from django.test import Client
from django.urls import get_resolver

from core.roles import Role
from core.tenancy import partner_scope
from partners.services import api_token_issue
from partners.tests.factories import UserFactory
from tests.routes import _walk, all_routes
from tests.test_route_matrix import (
    LOGIN_PATH,
    OBJECT_OF,
    OPAQUE_KWARGS,
    SHARED_OBJECT_OF,
    OwnObjects,
    _allowed,
)

from .checks import answer_problems, header_problems
from .conftest import download_path

ROUTES = all_routes()
# Redoc styles the API docs with <style> elements it writes at run time (tests/browser checks
# that the page works); the page shows only the public schema, so only there may styles be
# inline. Its scripts stay 'self' only.
INLINE_STYLE_PAGES = {"/v1/docs/"}
# allauth's pages without a key in their path; the keyed ones answer in the session tests.
ACCOUNT_PATHS = [
    "/" + pattern
    for pattern, _name, entry in _walk(get_resolver().url_patterns)
    if pattern.startswith("accounts/") and "^" not in pattern and not entry.pattern.converters
]


def _values(route, own: OwnObjects) -> dict[str, object]:
    values = {}
    for kwarg in route.kwargs:
        if kwarg in OPAQUE_KWARGS:
            values[kwarg] = OPAQUE_KWARGS[kwarg]
        elif kwarg in SHARED_OBJECT_OF:
            values[kwarg] = SHARED_OBJECT_OF[kwarg]()
        else:
            values[kwarg] = OBJECT_OF[kwarg](own)
    return values


def _get_access(route):
    return dict(route.method_access).get("GET", route.access)


def _walk_problems(visits) -> dict[str, list[str]]:
    """GET each (path, client, reachable); a reachable page must not refuse or send to sign in."""
    problems = {}
    for path, client, reachable in visits:
        response = client.get(path)
        found = answer_problems(response, inline_styles_allowed=path in INLINE_STYLE_PAGES)
        if response.status_code == 500:
            found.append("answered 500")
        if reachable and response.status_code in (401, 403):
            found.append(f"answered {response.status_code}")
        if reachable and response.get("Location", "").startswith(LOGIN_PATH):
            found.append("sent to sign in")
        if found:
            problems[f"{path} ({'signed in' if reachable else 'anonymous'})"] = found
    return problems


def test_every_route_carries_the_security_headers_and_no_inline_code(
    outsider, support_user, client_for, api_client_for
):
    # The outsider holds every partner role (and TOTP): one user reaches every partner page;
    # support staff reach the triage pages, pointed at the same partner's objects.
    own = OwnObjects(outsider)
    clients = {
        (outsider.pk, False): client_for(outsider),
        (outsider.pk, True): api_client_for(outsider),
        (support_user.pk, False): client_for(support_user),
        (support_user.pk, True): api_client_for(support_user),
    }
    visits = []
    for route in ROUTES:
        user = outsider if _allowed(_get_access(route), outsider) else support_user
        assert _allowed(_get_access(route), user), f"nobody may GET {route.pattern}"
        path = route.path_with(_values(route, own))
        visits.append((path, clients[user.pk, route.is_api], True))
    assert _walk_problems(visits) == {}


def test_every_account_page_carries_the_headers_signed_in_or_not(outsider, client_for):
    without_totp = client_for(UserFactory(partner=outsider.partner, roles=[Role.ADMIN_AGENT.value]))
    without_totp.post("/accounts/reauthenticate/", {"password": "correct horse battery staple"})
    signed_in = client_for(outsider)
    visits = [(path, Client(), False) for path in ACCOUNT_PATHS]
    visits += [(path, signed_in, True) for path in ACCOUNT_PATHS if path != "/accounts/logout/"]
    # An Admin agent without TOTP sees the enrolment page with its QR code.
    visits.append(("/accounts/2fa/totp/activate/", without_totp, True))
    # Last, as it ends the session: the sign-out confirmation page.
    visits.append(("/accounts/logout/", signed_in, True))
    problems = _walk_problems(visits)
    assert problems == {}
    assert len(ACCOUNT_PATHS) > 15, "allauth's pages were not found"
    enrolment = without_totp.get("/accounts/2fa/totp/activate/").content.decode()
    assert 'src="data:image/svg+xml;base64,' in enrolment, "the QR code page was not checked"


def test_error_pages_carry_the_headers_and_the_portals_words(
    role_users, client_for, api_client_for, settings
):
    sales = role_users[Role.SALES_AGENT]
    answers = {
        "404": Client().get("/no-such-page/"),
        "403": client_for(sales).get("/settings/users/"),
        "404 api": api_client_for(sales).get("/v1/no-such-thing"),
        "403 api": api_client_for(sales).get("/v1/users"),
        "401 api": Client().get("/v1/me"),
    }
    settings.ALLOWED_HOSTS = ["portal.example"]
    answers["400"] = Client().get("/accounts/login/", HTTP_HOST="attacker.example")
    assert {name: answer.status_code for name, answer in answers.items()} == {
        "404": 404,
        "403": 403,
        "404 api": 404,
        "403 api": 403,
        "401 api": 401,
        "400": 400,
    }
    assert {name: answer_problems(answer) for name, answer in answers.items()} == {
        name: [] for name in answers
    }
    assert "There is nothing here" in answers["404"].content.decode()
    assert "You do not have access to this page" in answers["403"].content.decode()
    assert "The request could not be understood" in answers["400"].content.decode()


def test_the_500_pages_carry_the_headers_and_say_nothing_changed(monkeypatch, global_admin):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("core.views.health_report", broken)
    monkeypatch.setattr("partners.api.views.MeOutput", broken)
    page = Client(raise_request_exception=False).get("/healthz")
    with partner_scope(global_admin.partner):
        _token, clear = api_token_issue(actor=global_admin, name="500")
    api = Client(raise_request_exception=False).get("/v1/me", HTTP_AUTHORIZATION=f"Bearer {clear}")
    assert (page.status_code, api.status_code) == (500, 500)
    assert answer_problems(page) == [] and answer_problems(api) == []
    assert "Nothing was changed" in page.content.decode()
    assert "the database went away" not in page.content.decode() + api.content.decode()
    assert api["Content-Type"] == "application/problem+json"


def test_downloads_dead_links_and_static_files_carry_the_headers(purchase, variant, settings):
    path = download_path(purchase, variant)
    download = Client().get(path)
    download_path(purchase, variant)  # a new link retires the first
    retired = Client().get(path)
    settings.BAD_DOWNLOAD_TOKEN_RATE = "1/m"
    guessing = Client(REMOTE_ADDR="198.51.100.9")
    for guess in ("x", "y"):
        guessing.get("/downloads/" + guess * 43)
    limited = guessing.get("/downloads/" + "z" * 43)
    static = Client().get("/static/css/portal.css")
    vendor = Client().get("/static/vendor/pico/pico.min.css")
    assert [a.status_code for a in (download, retired, limited, static, vendor)] == [
        200,
        410,
        429,
        200,
        200,
    ]
    for answer in (download, retired, limited, static, vendor):
        assert answer_problems(answer) == [], answer.get("Content-Type")


@pytest.fixture
def prod_settings(settings, monkeypatch):
    """The production module's transport settings, applied over the test settings."""
    monkeypatch.setenv("SECRET_KEY", "p" * 50)
    prod = importlib.import_module("csp_portal.settings.prod")
    names = [name for name in dir(prod) if name.startswith(("SECURE_", "SESSION_", "CSRF_"))]
    for name in names:
        setattr(settings, name, getattr(prod, name))
    return prod


def test_production_sends_hsts_over_https_and_redirects_plain_http(prod_settings):
    over_https = Client().get("/accounts/login/", secure=True)
    behind_proxy = Client().get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    plain = Client().get("/accounts/login/")
    expected = "max-age=31536000; includeSubDomains; preload"
    assert over_https["Strict-Transport-Security"] == expected
    assert behind_proxy["Strict-Transport-Security"] == expected
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/accounts/login/"
    assert header_problems(over_https) == []


def test_production_session_and_csrf_cookies_are_host_only_secure_and_httponly(
    prod_settings, global_admin
):
    client = Client()
    form = client.get("/accounts/login/", secure=True)
    csrf = form.cookies["__Host-csrftoken"]
    signed_in = client.post(
        "/accounts/login/",
        {"login": global_admin.email, "password": "correct horse battery staple"},
        secure=True,
    )
    session = signed_in.cookies["__Host-sessionid"]
    assert signed_in.status_code == 302
    for cookie in (csrf, session):
        assert cookie["secure"] and cookie["httponly"] and cookie["path"] == "/"
        assert cookie["samesite"] == "Lax" and not cookie["domain"]
