"""One client IP for the activity log and every rate limit, taken from PORTAL_TRUSTED_PROXY_COUNT.

The attacker writes any X-Forwarded-For they like; our proxies only append to it. So behind N
proxies the Nth entry from the right is the client, everything left of it is theirs, and with no
proxy counted the header is not read at all. A value that is not an IP address is never stored and
never a 500, and nobody can spend another client's allowance by spoofing.
"""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from activity.models import Event, OperationType
from core.client_ip import client_ip, rate_limit_ip
from core.ratelimits import PortalUserRateThrottle
from core.tenancy import partner_scope
from partners.tests.factories import UserFactory

from .conftest import download_path

PASSWORD = "correct horse battery staple"
LOGIN = "/accounts/login/"
LOAD_BALANCER = "10.0.0.5"
CLIENT = "203.0.113.7"
OTHER_CLIENT = "198.51.100.77"
# Writable by anyone: what a client puts in front of the entries our proxies append.
SPOOFS = ("192.0.2.1", "127.0.0.1", "10.0.0.5", "2001:db8::dead")

JUNK = [
    "not-an-ip",
    "1.2.3.4, <script>alert(1)</script>",
    "<script>",
    " , ",
    "1.2.3.4.5",
    "999.1.1.1",
    "fe80::1%eth0",
    "1.2.3.4:port",
    "[2001:db8::1",
    "' OR 1=1 --",
    "1" * 10_000,
    "1.2.3.4," * 2_000 + "x",
]


def _behind_proxy(settings, proxies: int = 1) -> None:
    settings.PORTAL_TRUSTED_PROXY_COUNT = proxies


def _via_load_balancer(forwarded: str) -> Client:
    """A browser reached through our load balancer, which appended the client's address."""
    return Client(REMOTE_ADDR=LOAD_BALANCER, HTTP_X_FORWARDED_FOR=forwarded)


def _sign_in(client, email, password=PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


def _signed_in(client) -> bool:
    return client.get("/settings/api-tokens/").status_code == 200


def _sign_in_events(user, operation=OperationType.SIGN_IN) -> list[Event]:
    with partner_scope(user.partner):
        return list(Event.objects.filter(operation_type=operation, actor=user))


def _request(remote_addr: str | None = LOAD_BALANCER, forwarded: str | None = None):
    meta = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    request = RequestFactory().get("/", **meta)
    if remote_addr is None:
        del request.META["REMOTE_ADDR"]
    else:
        request.META["REMOTE_ADDR"] = remote_addr
    return request


# --- Which address is the client's -----------------------------------------------------------


def test_with_no_proxy_counted_a_forwarded_header_is_ignored(settings):
    _behind_proxy(settings, 0)
    assert client_ip(_request(remote_addr=CLIENT, forwarded="192.0.2.1")) == CLIENT


@pytest.mark.parametrize(
    ("proxies", "forwarded"),
    [
        (1, CLIENT),
        (1, f"192.0.2.1, {CLIENT}"),
        (1, f"192.0.2.1,127.0.0.1,{CLIENT}"),
        (2, f"{CLIENT}, 10.0.0.9"),
        (2, f"192.0.2.1, {CLIENT}, 10.0.0.9"),
    ],
)
def test_behind_n_proxies_the_client_is_the_nth_entry_from_the_right(settings, proxies, forwarded):
    _behind_proxy(settings, proxies)
    assert client_ip(_request(forwarded=forwarded)) == CLIENT


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("2001:db8::1", "2001:db8::1"),
        ("2001:DB8:0:0::1", "2001:db8::1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        (f"{CLIENT}:51000", CLIENT),
        (f"::ffff:{CLIENT}", CLIENT),
    ],
)
def test_addresses_are_stored_in_one_form_whatever_the_proxy_wrote(settings, written, stored):
    _behind_proxy(settings)
    assert client_ip(_request(forwarded=f"192.0.2.1, {written}")) == stored


@pytest.mark.parametrize("forwarded", [None, "", "  "])
def test_a_request_that_bypassed_the_proxies_is_its_peers(settings, forwarded):
    # Our proxy always appends: no entry at all means the request did not come through it.
    _behind_proxy(settings)
    assert client_ip(_request(remote_addr="10.0.0.8", forwarded=forwarded)) == "10.0.0.8"


def test_fewer_entries_than_proxies_name_no_client(settings):
    # Behind two proxies a single entry was written by the inner one or by the client: unknown.
    _behind_proxy(settings, 2)
    request = _request(forwarded=CLIENT)
    assert client_ip(request) is None
    assert rate_limit_ip(request) == LOAD_BALANCER


@pytest.mark.parametrize("junk", JUNK, ids=lambda value: repr(value[:20]))
def test_a_value_that_is_not_an_ip_address_names_no_client(settings, junk):
    _behind_proxy(settings)
    request = _request(forwarded=junk)
    assert client_ip(request) is None
    # Rate limits still count it, against the proxy it came through.
    assert rate_limit_ip(request) == LOAD_BALANCER


def test_a_peer_that_is_no_address_is_counted_in_one_bucket(settings):
    # gunicorn on a Unix socket leaves REMOTE_ADDR empty; a limit must still count someone.
    _behind_proxy(settings, 0)
    assert client_ip(_request(remote_addr="")) is None
    assert rate_limit_ip(_request(remote_addr="")) == "0.0.0.0"
    assert rate_limit_ip(_request(remote_addr=None)) == "0.0.0.0"


def test_the_api_throttle_counts_anonymous_callers_by_the_same_address(settings):
    _behind_proxy(settings)
    request = _request(forwarded=f"192.0.2.1, {CLIENT}")
    assert PortalUserRateThrottle().get_ident(request) == CLIENT
    _behind_proxy(settings, 0)
    assert PortalUserRateThrottle().get_ident(request) == LOAD_BALANCER


# --- The activity log --------------------------------------------------------------------------


@pytest.mark.parametrize("spoof", SPOOFS)
def test_the_activity_log_stores_the_client_behind_one_proxy_whatever_it_claims(
    settings, global_admin, spoof
):
    _behind_proxy(settings)
    client = _via_load_balancer(f"{spoof}, {CLIENT}")
    assert _sign_in(client, global_admin.email).status_code == 302
    [event] = _sign_in_events(global_admin)
    assert event.ip_address == CLIENT


def test_the_activity_log_stores_the_peer_when_no_proxy_is_counted(settings, global_admin):
    _behind_proxy(settings, 0)
    client = Client(REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert _sign_in(client, global_admin.email).status_code == 302
    [event] = _sign_in_events(global_admin)
    assert event.ip_address == CLIENT


@pytest.mark.parametrize("junk", JUNK, ids=lambda value: repr(value[:20]))
def test_junk_in_x_forwarded_for_is_never_stored_and_never_a_500(
    settings, global_admin, purchase, variant, junk
):
    _behind_proxy(settings)
    client = Client(
        REMOTE_ADDR=LOAD_BALANCER, HTTP_X_FORWARDED_FOR=junk, raise_request_exception=False
    )
    assert _sign_in(client, global_admin.email).status_code == 302
    assert _signed_in(client)
    anonymous = Client(
        REMOTE_ADDR=LOAD_BALANCER, HTTP_X_FORWARDED_FOR=junk, raise_request_exception=False
    )
    assert anonymous.get(download_path(purchase, variant)).status_code == 200
    with partner_scope(global_admin.partner):
        events = list(Event.objects.all())
        log = client.get("/settings/activity-log/")
    assert {event.operation_type for event in events} >= {
        OperationType.SIGN_IN,
        OperationType.SOFTWARE_DOWNLOAD,
    }
    assert [event.ip_address for event in events] == [None] * len(events)
    assert log.status_code == 200


def test_junk_as_the_peers_own_address_is_never_stored(settings, global_admin):
    _behind_proxy(settings, 0)
    client = Client(REMOTE_ADDR="unix:/run/gunicorn.sock", raise_request_exception=False)
    assert _sign_in(client, global_admin.email).status_code == 302
    [event] = _sign_in_events(global_admin)
    assert event.ip_address is None


# --- Rate limits keyed on the real client ------------------------------------------------------


def test_guessing_download_tokens_behind_the_proxy_locks_out_only_the_guesser(
    settings, purchase, variant
):
    _behind_proxy(settings)
    settings.BAD_DOWNLOAD_TOKEN_RATE = "3/h"
    path = download_path(purchase, variant)
    # Each guess claims another address on the left; the proxy's entry on the right is the same.
    for n in range(4):
        guesser = _via_load_balancer(f"192.0.2.{n + 1}, {CLIENT}")
        assert guesser.get("/downloads/" + "g" * 43).status_code == 410
    limited = _via_load_balancer(f"192.0.2.200, {CLIENT}").get(path)
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    # Every partner's customers come through the same load balancer: they still download.
    assert _via_load_balancer(OTHER_CLIENT).get(path).status_code == 200
    assert _via_load_balancer(f"{CLIENT}, {OTHER_CLIENT}").get(path).status_code == 200


def test_without_a_proxy_count_spoofed_headers_do_not_escape_the_download_limit(
    settings, purchase, variant
):
    _behind_proxy(settings, 0)
    settings.BAD_DOWNLOAD_TOKEN_RATE = "3/h"
    path = download_path(purchase, variant)
    for n in range(4):
        guesser = Client(REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        assert guesser.get("/downloads/" + "g" * 43).status_code == 410
    spoofing = Client(REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=OTHER_CLIENT)
    assert spoofing.get(path).status_code == 429
    assert Client(REMOTE_ADDR=OTHER_CLIENT).get(path).status_code == 200


def test_failed_sign_ins_behind_the_proxy_lock_out_only_the_guessing_client(
    settings, global_admin
):
    _behind_proxy(settings)
    # Five accounts, so that only the per-address limit (5 failures in 5 minutes) can trip.
    for n in range(5):
        attacker = _via_load_balancer(f"192.0.2.{n + 1}, {CLIENT}")
        _sign_in(attacker, f"guess{n}@owner.example", "wrong password")
    attacker = _via_load_balancer(f"192.0.2.99, {CLIENT}")
    refused = _sign_in(attacker, global_admin.email)
    assert "Too many failed login attempts" in refused.content.decode()
    assert not _signed_in(attacker)
    # Everyone else signs in through the same load balancer.
    colleague = UserFactory(partner=global_admin.partner, email="colleague@owner.example")
    for user in (global_admin, colleague):
        browser = _via_load_balancer(OTHER_CLIENT)
        assert _sign_in(browser, user.email).status_code == 302
        assert _signed_in(browser)


def test_a_flood_of_sign_in_posts_behind_the_proxy_answers_429_to_the_flooder_only(
    settings, db
):
    _behind_proxy(settings)
    statuses = [
        _sign_in(_via_load_balancer(f"192.0.2.{n % 250}, {CLIENT}"), f"f{n}@example.com", "x")
        .status_code
        for n in range(31)
    ]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429
    colleague = _via_load_balancer(f"{CLIENT}, {OTHER_CLIENT}")
    assert _sign_in(colleague, "nobody@example.com", "x").status_code == 200


def test_junk_forwarded_values_share_the_proxys_bucket_and_nobody_elses(
    settings, purchase, variant
):
    _behind_proxy(settings)
    settings.BAD_DOWNLOAD_TOKEN_RATE = "3/h"
    path = download_path(purchase, variant)
    for junk in ("not-an-ip", "<script>", "1.2.3.4.5", "::1%lo"):
        _via_load_balancer(junk).get("/downloads/" + "g" * 43)
    assert _via_load_balancer("still-junk").get(path).status_code == 429
    assert _via_load_balancer(CLIENT).get(path).status_code == 200
