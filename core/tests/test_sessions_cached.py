"""A session is read from a cached copy at most a minute old and kept in the database."""

from django.contrib.sessions.models import Session
from django.core.cache import cache

from core.sessions import CACHED_SECONDS, SessionStore


def test_a_session_is_cached_for_a_minute_at_most_and_kept_in_the_database(db, monkeypatch):
    timeouts = []
    store_in_cache = cache.set

    def spy(key, value, timeout=None, version=None):
        timeouts.append(timeout)
        return store_in_cache(key, value, timeout, version=version)

    monkeypatch.setattr(cache, "set", spy)
    session = SessionStore()
    session["seen"] = 1
    session.save()
    assert timeouts and set(timeouts) == {CACHED_SECONDS} and CACHED_SECONDS <= 60
    assert Session.objects.filter(session_key=session.session_key).exists()
    cache.clear()
    assert SessionStore(session.session_key)["seen"] == 1, "read back from the database"


def test_a_deleted_session_is_gone_from_the_cache_and_the_database(db):
    session = SessionStore()
    session["seen"] = 1
    session.save()
    session.delete()
    assert not SessionStore().exists(session.session_key)
    assert "seen" not in SessionStore(session.session_key)
