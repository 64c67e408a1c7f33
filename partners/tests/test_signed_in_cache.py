"""The signed-in user comes from the cache, and every change to it counts on the next request."""

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from core.roles import Role
from core.tenancy import partner_scope
from partners.auth_backends import _entry_key, _version_key
from partners.models import User
from partners.services import user_deactivate, user_roles_set

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _bench_urls(settings):
    settings.ROOT_URLCONF = "csp_portal.bench_urls"


@pytest.fixture
def sales(role_users):
    return role_users[Role.SALES_AGENT]


@pytest.fixture
def signed_in(sales):
    client = Client()
    client.force_login(sales)
    assert client.get("/customers/").status_code == 200
    return client


def test_a_signed_in_request_reads_no_session_user_or_partner_row(
    signed_in, django_assert_num_queries
):
    with django_assert_num_queries(0):
        assert signed_in.get("/bench/signed-in").json() == {"status": "ok"}


def test_a_user_removed_from_a_role_loses_access_on_the_next_request(
    signed_in, sales, global_admin
):
    with partner_scope(sales.partner):
        user_roles_set(
            partner=sales.partner, actor=global_admin, user_id=sales.pk,
            roles=[Role.BILLING_ADMIN.value],
        )
    assert signed_in.get("/customers/").status_code == 403


def test_a_deactivated_user_is_signed_out_on_the_next_request(signed_in, sales, global_admin):
    with partner_scope(sales.partner):
        user_deactivate(partner=sales.partner, actor=global_admin, user_id=sales.pk)
    response = signed_in.get("/customers/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_password_change_signs_the_other_sessions_out_on_their_next_request(signed_in, sales):
    sales.set_password("a-brand-new-password-2026")
    sales.save()
    response = signed_in.get("/customers/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_entry_stored_from_the_row_as_it_was_before_a_change_is_never_used(signed_in, sales):
    version_before = cache.get(_version_key(sales.pk))
    as_it_was = User.objects.select_related("partner").get(pk=sales.pk)
    sales.roles = [Role.BILLING_ADMIN.value]
    sales.save()
    # A request that read the row before the change stores what it read after the change.
    cache.set(_entry_key(sales.pk), (version_before, as_it_was))
    assert signed_in.get("/customers/").status_code == 403


def test_another_process_reading_the_row_before_the_commit_is_overruled_by_the_commit(
    signed_in, sales, django_capture_on_commit_callbacks
):
    as_it_was = User.objects.select_related("partner").get(pk=sales.pk)
    with django_capture_on_commit_callbacks(execute=True):
        sales.is_active = False
        sales.save()
        # Until the commit, another process still reads the active row, under the new version.
        cache.set(_entry_key(sales.pk), (cache.get(_version_key(sales.pk)), as_it_was))
    response = signed_in.get("/customers/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_change_to_the_partner_reaches_its_signed_in_users_on_the_next_request(
    signed_in, sales
):
    assert signed_in.get("/bench/signed-in").status_code == 200
    sales.partner.name = "Renamed Partner"
    sales.partner.save()
    cached = cache.get(_entry_key(sales.pk))
    assert cached is None or cached[0] != cache.get(_version_key(sales.pk))
    signed_in.get("/bench/signed-in")
    assert cache.get(_entry_key(sales.pk))[1].partner.name == "Renamed Partner"


def test_without_the_cache_the_user_is_read_from_the_database(signed_in, sales):
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    ):
        assert signed_in.get("/customers/").status_code == 200
        sales.is_active = False
        sales.save()
        assert signed_in.get("/customers/").status_code == 302


def test_a_cached_user_is_kept_a_minute_at_most(signed_in, sales, monkeypatch):
    timeouts = {}
    store_in_cache = cache.set

    def spy(key, value, timeout=None, version=None):
        timeouts[key] = timeout
        return store_in_cache(key, value, timeout, version=version)

    monkeypatch.setattr(cache, "set", spy)
    cache.delete(_entry_key(sales.pk))
    signed_in.get("/bench/signed-in")
    assert timeouts[_entry_key(sales.pk)] <= 60
