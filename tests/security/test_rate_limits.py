"""Rate limits on sign-in, key reveals and downloads: who they hold back, what they say, and that
a refused request changes nothing.

The basic trips are tested beside each feature (partners, software, tests/test_api_conventions);
these complete them with the scope of each limit and its side effects.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from activity.models import Event, OperationType
from core.ratelimits import rate_parse
from core.roles import Role
from core.tenancy import partner_scope
from partners.tests.factories import UserFactory, totp_enrol
from software.models import DownloadLink

from .checks import answer_problems
from .conftest import download_path, keys_url, variant_form

PASSWORD = "correct horse battery staple"
LOGIN = "/accounts/login/"


def _sign_in(client, email, password=PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


def _signed_in(client) -> bool:
    return client.get("/settings/api-tokens/").status_code == 200


def _events(partner, operation) -> int:
    with partner_scope(partner):
        return Event.objects.filter(operation_type=operation).count()


def test_failed_sign_ins_lock_the_account_from_every_address(global_admin):
    # Five guesses from five addresses: only the account's own limit can trip.
    for n in range(5):
        _sign_in(Client(REMOTE_ADDR=f"203.0.113.{n + 1}"), global_admin.email, "wrong password")
    failures = _events(global_admin.partner, OperationType.SIGN_IN_FAILED)
    owner = Client(REMOTE_ADDR="198.51.100.20")
    refused = _sign_in(owner, global_admin.email)
    assert refused.status_code == 200
    assert "Too many failed login attempts" in refused.content.decode()
    assert not _signed_in(owner)
    assert _events(global_admin.partner, OperationType.SIGN_IN_FAILED) == failures
    assert _events(global_admin.partner, OperationType.SIGN_IN) == 0
    # Another account signs in from the same address: the lock is the account's.
    colleague = UserFactory(partner=global_admin.partner, email="colleague@owner.example")
    assert _sign_in(owner, colleague.email).status_code == 302


def test_failed_sign_ins_from_one_address_lock_that_address_for_every_account(global_admin):
    attacker = Client(REMOTE_ADDR="198.51.100.30")
    for n in range(5):
        _sign_in(attacker, f"guess{n}@owner.example", "wrong password")
    refused = _sign_in(attacker, global_admin.email)
    assert "Too many failed login attempts" in refused.content.decode()
    assert not _signed_in(attacker)
    # The account itself is not locked for its owner elsewhere.
    elsewhere = Client(REMOTE_ADDR="192.0.2.10")
    assert _sign_in(elsewhere, global_admin.email).status_code == 302
    assert _signed_in(elsewhere)


def test_a_flood_of_sign_in_posts_gets_the_portals_429_page(db):
    client = Client(REMOTE_ADDR="198.51.100.40")
    statuses = [_sign_in(client, f"flood{n}@example.com", "x").status_code for n in range(31)]
    assert statuses[:30] == [200] * 30
    limited = _sign_in(client, "flood@example.com", "x")
    assert statuses[30] == limited.status_code == 429
    page = limited.content.decode()
    assert "Too many attempts" in page and "Nothing was changed" in page
    assert answer_problems(limited) == []
    assert Client(REMOTE_ADDR="198.51.100.41").get(LOGIN).status_code == 200


def test_a_limited_key_reveal_says_when_to_retry_and_changes_nothing(
    agent, purchase, variant, client_for, settings
):
    settings.KEY_REVEAL_RATE = "1/h"
    client = client_for(agent)
    first = client.post(keys_url(purchase), variant_form(variant))
    assert first.status_code == 200
    with partner_scope(purchase.partner):
        link = DownloadLink.objects.get()
        reveals = Event.objects.filter(operation_type=OperationType.GET_SOFTWARE_KEY).count()
    limited = client.post(keys_url(purchase), variant_form(variant))
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 3600
    assert f"Try again in {limited['Retry-After']} seconds" in limited.content.decode()
    assert answer_problems(limited) == [] and answer_problems(first) == []
    with partner_scope(purchase.partner):
        assert list(DownloadLink.objects.all()) == [link]
        link.refresh_from_db()
        assert link.retired_at is None, "a refused reveal must not retire the working link"
        assert (
            Event.objects.filter(operation_type=OperationType.GET_SOFTWARE_KEY).count() == reveals
        )


def test_the_key_reveal_limit_is_per_user_across_page_and_api(
    agent, purchase, variant, client_for, api_client_for, settings
):
    settings.KEY_REVEAL_RATE = "2/h"
    client, api = client_for(agent), api_client_for(agent)
    api_url = (
        f"/v1/customers/{purchase.customer.entra_tenant_id}/entitlements/{purchase.pk}"
        "/keysanddownloads"
    )
    api_body = {"version": "2022", "language": "en-US", "fileType": "ISO (x64)"}
    assert client.post(keys_url(purchase), variant_form(variant)).status_code == 200
    assert api.post(api_url, api_body, format="json").status_code == 200
    limited = api.post(api_url, api_body, format="json")
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
    assert int(limited["Retry-After"]) > 0
    assert client.post(keys_url(purchase), variant_form(variant)).status_code == 429
    # A colleague with the same role is not held back by this user's reveals.
    colleague = UserFactory(partner=agent.partner, roles=[Role.ADMIN_AGENT.value])
    totp_enrol(colleague)
    assert client_for(colleague).post(keys_url(purchase), variant_form(variant)).status_code == 200


def test_an_address_limited_for_guessing_gets_no_download_and_counts_none(
    purchase, variant, settings
):
    settings.BAD_DOWNLOAD_TOKEN_RATE = "2/m"
    path = download_path(purchase, variant)
    guesser = Client(REMOTE_ADDR="198.51.100.50")
    for guess in ("a", "b", "c"):
        guesser.get("/downloads/" + guess * 43)
    limited = guesser.get(path)
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert "Too many requests" in limited.content.decode()
    with partner_scope(purchase.partner):
        assert DownloadLink.objects.get().download_count == 0
        assert not Event.objects.filter(operation_type=OperationType.SOFTWARE_DOWNLOAD).exists()
    # Another address is not held back, and its download counts.
    assert Client(REMOTE_ADDR="198.51.100.51").get(path).status_code == 200
    with partner_scope(purchase.partner):
        assert DownloadLink.objects.get().download_count == 1


def test_guesses_from_one_ipv6_network_count_together_and_another_network_is_not_held_back(
    db, settings
):
    settings.BAD_DOWNLOAD_TOKEN_RATE = "2/m"
    # A subscriber gets a whole /64: rotating addresses inside it must not reset the count.
    for host in ("1", "2", "3"):
        Client(REMOTE_ADDR=f"2001:db8:0:1::{host}").get("/downloads/" + "g" * 43)
    assert Client(REMOTE_ADDR="2001:db8:0:1::ff").get("/downloads/" + "g" * 43).status_code == 429
    assert Client(REMOTE_ADDR="2001:db8:0:2::1").get("/downloads/" + "g" * 43).status_code == 410


@pytest.mark.parametrize(
    ("rate", "expected"), [("20/m", (20, 60)), ("30/h", (30, 3600)), ("5/10m", (5, 600))]
)
def test_a_rate_is_calls_per_period(rate, expected):
    assert rate_parse(rate) == expected


@pytest.mark.parametrize("rate", ["", "20", "20/", "20/w", "-1/m", "20/m "])
def test_a_malformed_rate_is_refused_at_the_first_check(rate):
    with pytest.raises(ImproperlyConfigured):
        rate_parse(rate)
