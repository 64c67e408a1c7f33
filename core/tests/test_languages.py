"""The language a page is in: the user's choice, else the browser's, else the partner's."""

import pytest
from django.test import Client

from partners.tests.factories import PartnerFactory, UserFactory

ITALIAN_BROWSER = "it-IT,it;q=0.9,en-US;q=0.8,en;q=0.7"
GERMAN_BROWSER = "de-DE,de;q=0.9"
ENGLISH_BROWSER = "en-GB,en;q=0.9"


@pytest.fixture
def italian_partner(db):
    return PartnerFactory(name="Northwind", home_country="IT", language="it")


def _page_language(user, accept_language: str | None) -> str:
    client = Client()
    client.force_login(user)
    headers = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}
    response = client.get("/settings/preferences/", **headers)
    assert response.status_code == 200
    html = response.content.decode()
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize(
    ("chosen", "browser", "partner_language", "expected"),
    [
        ("", ITALIAN_BROWSER, "en", "it"),  # not chosen: the browser decides
        ("", ENGLISH_BROWSER, "it", "en"),
        ("", GERMAN_BROWSER, "it", "it"),  # a language the portal lacks: the partner's
        ("", None, "it", "it"),
        ("", None, "en", "en"),
        ("", "*", "it", "it"),
        ("", "xx-invalid!!, ;q=abc", "it", "it"),
        ("en", ITALIAN_BROWSER, "it", "en"),  # a choice in Preferences wins
        ("it", ENGLISH_BROWSER, "en", "it"),
    ],
)
@pytest.mark.django_db
def test_a_page_is_in_the_chosen_else_the_browsers_else_the_partners_language(
    chosen, browser, partner_language, expected
):
    partner = PartnerFactory(language=partner_language)
    user = UserFactory(partner=partner, language=chosen)
    assert _page_language(user, browser) == expected


def test_an_italian_partners_user_with_an_italian_browser_sees_italian(italian_partner):
    user = UserFactory(partner=italian_partner)
    client = Client()
    client.force_login(user)
    page = client.get("/settings/preferences/", HTTP_ACCEPT_LANGUAGE=ITALIAN_BROWSER)
    assert page["Content-Language"] == "it"
    assert "Accept-Language" in page["Vary"]
    assert "Preferenze" in page.content.decode()


def test_the_sign_in_page_follows_the_browser(db):
    italian = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=ITALIAN_BROWSER)
    assert '<html lang="it"' in italian.content.decode()
    assert "Accedi" in italian.content.decode()
    for header in (GERMAN_BROWSER, ENGLISH_BROWSER):
        page = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=header)
        assert '<html lang="en"' in page.content.decode()


def test_support_staff_without_a_choice_get_the_browsers_language(support_user):
    client = Client()
    client.force_login(support_user)
    response = client.get("/settings/preferences/", HTTP_ACCEPT_LANGUAGE=ITALIAN_BROWSER)
    assert '<html lang="it"' in response.content.decode()
    response = client.get("/settings/preferences/", HTTP_ACCEPT_LANGUAGE=GERMAN_BROWSER)
    assert '<html lang="en"' in response.content.decode()


def test_choosing_automatic_in_preferences_gives_the_choice_back_to_the_browser(
    italian_partner,
):
    user = UserFactory(partner=italian_partner, language="en")
    client = Client()
    client.force_login(user)
    response = client.post(
        "/settings/preferences/", {"language": "", "time_zone": "Europe/Rome"},
        HTTP_ACCEPT_LANGUAGE=ITALIAN_BROWSER,
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == ""
    assert _page_language(user, ITALIAN_BROWSER) == "it"


def test_an_unknown_language_in_preferences_is_refused_and_changes_nothing(italian_partner):
    user = UserFactory(partner=italian_partner, language="it")
    client = Client()
    client.force_login(user)
    response = client.post("/settings/preferences/", {"language": "de", "time_zone": "UTC"})
    assert response.status_code == 200
    assert response.context["form"].errors["language"]
    user.refresh_from_db()
    assert (user.language, user.time_zone) == ("it", "Europe/Rome")


def test_the_api_gives_the_choice_back_to_the_browser_with_an_empty_language(
    global_admin, api_client_for
):
    global_admin.language = "it"
    global_admin.save(update_fields=["language"])
    client = api_client_for(global_admin)
    response = client.patch("/v1/me", {"language": "", "timeZone": "UTC"}, format="json")
    assert response.status_code == 200
    assert response.json()["user"]["language"] == ""
    global_admin.refresh_from_db()
    assert global_admin.language == ""
    refused = client.patch("/v1/me", {"language": "de", "timeZone": "UTC"}, format="json")
    assert refused.status_code == 400
    global_admin.refresh_from_db()
    assert (global_admin.language, global_admin.time_zone) == ("", "UTC")
