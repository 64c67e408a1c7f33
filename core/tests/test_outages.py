"""A database or broker that is down answers 503 with Retry-After; the cache fails open.

The same behaviour against real stopped servers is in tests/faults/.
"""

import socket

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.test import Client

from core.cache import FailOpenRedisCache
from core.outages import BackgroundUnavailable
from partners.models import User
from partners.services import user_invite


def test_a_page_answers_503_when_the_session_cannot_be_read(global_admin, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(global_admin)

    def database_gone(self):
        raise OperationalError("connection refused")

    monkeypatch.setattr(SessionStore, "load", database_gone)
    response = client.get("/customers/")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "The portal is briefly unavailable" in response.content.decode()


def test_an_api_call_answers_503_problem_when_the_token_cannot_be_checked(
    global_admin, api_client_for, monkeypatch
):
    api = api_client_for(global_admin)

    def database_gone(**kwargs):
        raise OperationalError("couldn't get a connection after 10.00 sec")

    monkeypatch.setattr("csp_portal.api.authentication.api_token_user", database_gone)
    response = api.get("/v1/customers")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "database_unavailable"
    assert int(response["Retry-After"]) > 0


def test_the_cache_reads_as_empty_and_lets_writers_through_when_redis_is_unreachable():
    cache = FailOpenRedisCache("redis://127.0.0.1:1/0", {})
    assert cache.get("counter", "default") == "default"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("lock", True) is True
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert cache.has_key("lock") is False
    with pytest.raises(ValueError):
        cache.incr("counter")


def test_an_invitation_is_refused_and_nothing_created_while_the_broker_is_down(global_admin):
    from csp_portal.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        with pytest.raises(BackgroundUnavailable) as refused:
            user_invite(
                partner=global_admin.partner,
                actor=global_admin,
                email="new@owner.example",
                full_name="New Colleague",
                roles=["sales_agent"],
                base_url="http://testserver/",
            )
    finally:
        app.conf.broker_url = previous
    assert refused.value.status == 503
    assert not User.objects.filter(email="new@owner.example").exists()


def test_a_redis_that_hangs_instead_of_refusing_also_reads_as_empty(settings):
    # A server that accepts the connection and never answers: a frozen Redis, or a dead peer
    # behind a load balancer. Without socket timeouts the request would wait forever.
    silent = socket.create_server(("127.0.0.1", 0))
    try:
        port = silent.getsockname()[1]
        configured = settings.CACHES["default"]
        cache = FailOpenRedisCache(
            f"redis://127.0.0.1:{port}/0", {"OPTIONS": configured["OPTIONS"]}
        )
        assert cache.get("anything", default="empty") == "empty"
        assert cache.add("first", 1) is True
    finally:
        silent.close()
