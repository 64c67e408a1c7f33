"""An API token is checked from the cache, and every change to it counts on the next call."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from core.tenancy import partner_scope
from partners.auth_backends import _token_entry_key, _token_version_key
from partners.models import ApiToken
from partners.selectors import _usable_api_token_facts
from partners.services import api_token_issue, api_token_revoke, user_deactivate

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(global_admin):
    with partner_scope(global_admin.partner):
        token, clear = api_token_issue(actor=global_admin, name="integration")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {clear}")
    assert client.get("/v1/me").status_code == 200
    return token, client


def _refused(client) -> bool:
    response = client.get("/v1/me")
    return response.status_code == 401 and response.json()["code"] == "authentication_failed"


def test_a_call_with_a_known_token_reads_no_token_user_or_partner_row(issued):
    _token, client = issued
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/v1/me").status_code == 200
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert "partners_apitoken" not in tables
    assert "partners_user" not in tables
    assert "partners_partner" not in tables


def test_a_revoked_token_is_refused_on_the_next_call(issued, global_admin):
    token, client = issued
    with partner_scope(global_admin.partner):
        api_token_revoke(actor=global_admin, token_id=token.pk)
    assert _refused(client)


def test_a_token_deleted_in_the_admin_site_is_refused_on_the_next_call(issued):
    token, client = issued
    token.delete()
    assert _refused(client)


def test_a_cached_token_is_refused_once_it_expires(issued):
    token, client = issued
    with time_machine.travel(token.expires_at + timedelta(seconds=1)):
        assert _refused(client)


def test_a_reactivated_users_revoked_tokens_stay_revoked(issued, global_admin, role_users):
    token, client = issued
    other_admin = next(u for u in role_users.values() if u.pk != global_admin.pk)
    other_admin.roles = ["global_admin"]
    other_admin.save()
    with partner_scope(global_admin.partner):
        # The tokens are revoked by one UPDATE, past their save().
        user_deactivate(partner=global_admin.partner, actor=other_admin, user_id=global_admin.pk)
    assert _refused(client)
    global_admin.refresh_from_db()
    global_admin.is_active = True
    global_admin.save()
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert _refused(client)


def test_a_change_to_the_tokens_partner_reaches_it_on_the_next_call(issued, global_admin):
    _token, client = issued
    global_admin.partner.name = "Renamed Partner"
    global_admin.partner.save()
    assert client.get("/v1/me").json()["partner"]["name"] == "Renamed Partner"


def test_facts_read_before_a_revocation_and_stored_after_it_are_never_used(issued, global_admin):
    token, client = issued
    version_before = cache.get(_token_version_key(token.lookup_id))
    as_it_was = _usable_api_token_facts(token.lookup_id)
    with partner_scope(global_admin.partner):
        api_token_revoke(actor=global_admin, token_id=token.pk)
    cache.set(_token_entry_key(token.lookup_id), (version_before, as_it_was))
    assert _refused(client)


def test_last_used_is_written_at_most_every_five_minutes_through_the_cache(issued):
    token, client = issued
    first_use = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first_use is not None
    assert client.get("/v1/me").status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first_use
    later = timezone.now() + timedelta(minutes=6)
    with time_machine.travel(later):
        assert client.get("/v1/me").status_code == 200
        assert ApiToken.objects.get(pk=token.pk).last_used_at >= later


def test_a_known_token_and_its_user_are_read_from_the_cache_in_one_round_trip(
    issued, monkeypatch
):
    _token, client = issued
    assert client.get("/v1/me").status_code == 200
    reads = []
    read_many = cache.get_many

    def spy(keys, version=None):
        reads.append(list(keys))
        return read_many(keys, version=version)

    add = cache.add

    def spy_add(key, *args, **kwargs):
        reads.append([key])
        return add(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get_many", spy)
    monkeypatch.setattr(cache, "add", spy_add)  # a version missed is added, then read
    assert client.get("/v1/me").status_code == 200
    signed_in_reads = [keys for keys in reads if keys[0].startswith("portal:")]
    assert len(signed_in_reads) == 1 and len(signed_in_reads[0]) == 4
