"""No open redirect: every `next` the portal follows (its own forms, allauth's sign-in, the admin
login, the MFA enrolment gate) leads to this site or to the page's own fallback."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from core.redirects import url_is_safe
from core.roles import Role
from partners.tests.factories import UserFactory

PASSWORD = "correct horse battery staple"
OFF_SITE = [
    "//evil.example",
    "/\\evil.example",
    "\\\\evil",
    "\\/evil.example",
    "https://evil.example",
    "http://evil.example/",
    "HTTPS://evil.example",
    "https:evil.example",
    "///evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    " //evil.example",
    "\x00//evil.example",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "/%2fevil.example",
    "%2F%5Cevil.example",
    "/%5Cevil.example",
    "%252F%252Fevil.example",
    "https://testserver@evil.example/",
    "https://evil.example\\@testserver/",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "",
]
ON_SITE = ["/customers/", "/customers/?q=Contoso%20Italia", "/customers/?q=%2F%2F", "/"]


@pytest.mark.parametrize("url", OFF_SITE, ids=repr)
def test_off_site_and_disguised_urls_are_refused(url):
    assert not url_is_safe(RequestFactory().get("/"), url)


@pytest.mark.parametrize("url", ON_SITE)
def test_paths_on_this_site_are_followed(url):
    assert url_is_safe(RequestFactory().get("/"), url)


def test_this_sites_absolute_url_is_followed_only_over_the_same_scheme():
    plain, secure = RequestFactory().get("/"), RequestFactory().get("/", secure=True)
    assert url_is_safe(plain, "http://testserver/customers/")
    assert url_is_safe(secure, "https://testserver/customers/")
    assert not url_is_safe(secure, "http://testserver/customers/")


@pytest.mark.parametrize("url", OFF_SITE, ids=repr)
def test_changing_language_never_sends_the_browser_off_site(global_admin, client_for, url):
    response = client_for(global_admin).post(
        "/settings/preferences/",
        {"language": "it", "time_zone": "Europe/Rome", "next": url},
    )
    assert response.status_code == 302
    assert response["Location"] == "/settings/preferences/"


def test_changing_language_returns_to_the_page_it_was_changed_on(global_admin, client_for):
    response = client_for(global_admin).post(
        "/settings/preferences/",
        {"language": "it", "time_zone": "Europe/Rome", "next": ON_SITE[1]},
    )
    assert response["Location"] == ON_SITE[1]


@pytest.mark.parametrize("url", OFF_SITE, ids=repr)
def test_signing_in_never_follows_an_off_site_next(global_admin, url):
    response = Client().post(
        "/accounts/login/", {"login": global_admin.email, "password": PASSWORD, "next": url}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_signing_in_follows_a_next_on_this_site(global_admin):
    response = Client().post(
        "/accounts/login/",
        {"login": global_admin.email, "password": PASSWORD, "next": "/settings/users/"},
    )
    assert response["Location"] == "/settings/users/"


@pytest.mark.parametrize("url", OFF_SITE, ids=repr)
def test_the_admin_login_passes_on_no_off_site_next(db, url):
    response = Client().get("/admin/login/", {"next": url})
    if "\x00" in url:  # refused before any view reads it (NulCharacterMiddleware)
        assert response.status_code == 400
        return
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"


def test_the_mfa_gate_sends_the_user_back_to_the_page_asked_for(owner_partner, client_for):
    agent = UserFactory(partner=owner_partner, roles=[Role.ADMIN_AGENT.value])
    client = client_for(agent)
    response = client.get("/customers/")
    assert response["Location"] == "/accounts/2fa/totp/activate/?next=/customers/"
    # A path that reads as another host when echoed is not passed on.
    disguised = client.get("/\\evil.example/")
    assert disguised.status_code == 302
    assert disguised["Location"] == "/accounts/2fa/totp/activate/"
