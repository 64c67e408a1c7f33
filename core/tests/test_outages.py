"""The cache fails open and a broker-dependent action is refused while the broker is down.

The 503 answers of pages and the API while PostgreSQL is down are proved against a real stopped
server in tests/faults/test_postgres_restart.py, not with a mocked database here.
"""

import socket

import pytest

from core.cache import FailOpenRedisCache
from core.error_responses import status_of
from core.outages import BackgroundUnavailable
from core.tenancy import partner_scope
from partners.invitations import invitation_create
from partners.models import Invitation


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
        with partner_scope(global_admin.partner), pytest.raises(BackgroundUnavailable) as refused:
            invitation_create(
                partner=global_admin.partner,
                actor=global_admin,
                email="new@owner.example",
                full_name="New Colleague",
                roles=["sales_agent"],
                base_url="http://testserver/",
            )
    finally:
        app.conf.broker_url = previous
    assert status_of(refused.value) == 503
    with partner_scope(global_admin.partner):
        assert not Invitation.objects.filter(email="new@owner.example").exists()


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
