"""What the catalogue pages read, kept in each process per language and catalogue version: a
market's priced catalogue per filters, the market picker's choices, the software variants the
Software page offers.

The version is one value in the shared cache, replaced by any write to a market, product, SKU,
availability, price, exclusion or software variant (admin, commands and factories included: the
receivers below catch every save and delete), so every process sees a change on its next
request. A price that starts or ends later ends the entry at that moment.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models import Min
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import get_language

from .models import (
    Availability,
    Market,
    MarketExclusion,
    Price,
    Product,
    Sku,
    SoftwareVariant,
)

T = TypeVar("T")
VERSION_KEY = "catalog:version"
# Entries kept per process: markets × filters × languages worth browsing, and little memory.
MAX_ENTRIES = 256
# A version bump lost while the shared cache was down is made good at the latest after this long.
MAX_AGE = timedelta(minutes=5)

_entries: OrderedDict[tuple, tuple[datetime, object]] = OrderedDict()
_lock = threading.Lock()


def catalog_version() -> str | None:
    """Return the catalogue's current version, starting one when the cache has none; None while
    the cache cannot be reached."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def catalog_version_bump() -> None:
    """Start a new catalogue version, so every process reads the catalogue again."""
    # A random value, not a counter: a cleared cache must never bring back an old version.
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def _next_price_change(*, market: Market, at: datetime) -> datetime | None:
    prices = Price.objects.filter(availability__market=market)
    starts = prices.filter(valid_from__gt=at).aggregate(at=Min("valid_from"))["at"]
    ends = prices.filter(valid_to__gt=at).aggregate(at=Min("valid_to"))["at"]
    return min((moment for moment in (starts, ends) if moment is not None), default=None)


def catalog_cached(
    *, key: tuple, load: Callable[[], T],
    until: Callable[[datetime], datetime | None] | None = None,
) -> T:
    """Return what `load` gives for this key, language and catalogue version from this process,
    loading it when never loaded, after MAX_AGE, or once the moment `until` tells came."""
    version = catalog_version()
    if version is None:
        # The shared cache is unreachable (it fails open): no write could announce a change.
        return load()
    full_key = (*key, get_language(), version)
    now = timezone.now()
    with _lock:
        found = _entries.get(full_key)
        if found is not None:
            _entries.move_to_end(full_key)
    if found is not None and now < found[0]:
        return found[1]
    value = load()
    ends = min(filter(None, [until(now) if until else None, now + MAX_AGE]))
    with _lock:
        _entries[full_key] = (ends, value)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def market_catalogue_cached(*, market: Market, filters: tuple, load: Callable[[], T]) -> T:
    """Return the market's catalogue for these filters, read again when a price starts or ends."""
    return catalog_cached(
        key=("catalogue", market.pk, filters), load=load,
        until=lambda now: _next_price_change(market=market, at=now),
    )


def catalog_changed() -> None:
    """Start a new catalogue version now and again when the transaction commits."""
    # Now, so this transaction's own next read sees it, and again after commit, so that no
    # process keeps, under the new version, what it read before the commit.
    catalog_version_bump()
    transaction.on_commit(catalog_version_bump)


def _changed(sender, **kwargs) -> None:
    catalog_changed()


def catalog_changes_connect() -> None:
    """Start a new catalogue version on every save or delete of what the catalogue shows."""
    for model in (Market, Product, Sku, Availability, Price, MarketExclusion, SoftwareVariant):
        for signal in (post_save, post_delete):
            signal.connect(_changed, sender=model, dispatch_uid=f"catalog-version-{model.__name__}")
