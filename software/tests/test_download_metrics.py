"""The download counters on /metrics: counted downloads, and refusals by reason."""

from __future__ import annotations

import pytest
from django.test import Client
from prometheus_client import REGISTRY

from software.tests.links import body, issue_link

pytestmark = pytest.mark.django_db(transaction=True)


def _refused(reason: str) -> float:
    return REGISTRY.get_sample_value("portal_downloads_refused_total", {"reason": reason}) or 0


def _counted() -> float:
    return REGISTRY.get_sample_value("portal_downloads_counted_total") or 0


def test_downloads_are_counted_once_and_refusals_by_their_reason(purchase, variant, settings):
    settings.DOWNLOAD_LINK_MAX_DOWNLOADS = 1
    path = issue_link(purchase, variant)
    counted, used_up, unknown = _counted(), _refused("used_up"), _refused("unknown")
    assert Client().head(path).status_code == 200
    assert body(Client().get(path)) and _counted() == counted + 1
    assert Client().get(path).status_code == 410
    assert Client().get("/downloads/" + "x" * 43).status_code == 410
    assert Client().post(path).status_code == 405
    assert _counted() == counted + 1
    assert _refused("used_up") == used_up + 1 and _refused("unknown") == unknown + 1
    assert _refused("method_not_allowed") >= 1
