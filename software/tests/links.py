"""Helpers for tests that use download links as their holders do."""

from __future__ import annotations

import contextlib
import itertools

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.http import HttpResponse
from django.test import RequestFactory

from core.tenancy import partner_scope
from orders.models import PurchaseStatus
from software.models import Download, DownloadLink
from software.services import keys_and_downloads_issue

needs_postgresql = pytest.mark.postgres_only(
    "threads racing on one link need PostgreSQL's row locks; SQLite takes one writer at a time"
)


def cancellation_requested(purchase) -> None:
    """Make the purchase pending cancellation, as a requested cancellation does at once."""
    purchase._meta.model.objects.all_partners().filter(pk=purchase.pk).update(
        status=PurchaseStatus.PENDING_CANCELLATION
    )


def keys_and_link_issue(purchase, variant, *, at=None):
    """Get keys and downloads for the purchase and variant through the service, as a page does."""
    with partner_scope(purchase.partner):
        return keys_and_downloads_issue(
            partner=purchase.partner,
            actor=None,
            purchase_id=purchase.pk,
            version=variant.version,
            language=variant.language,
            file_type=variant.file_type,
            base_url="http://testserver",
            at=at,
        )


def issue_link(purchase, variant, *, at=None) -> str:
    """Issue a download link through the service, as Get keys and downloads does; its path."""
    result = keys_and_link_issue(purchase, variant, at=at)
    return result.download.uri.removeprefix("http://testserver")


def body(response) -> bytes:
    """Everything the response streams (the client reads to the end)."""
    return b"".join(response.streaming_content)


@contextlib.contextmanager
def connection_kept():
    """Keep the test's database connection (and its transaction) through request signals."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def get_then_drop(path: str, *, chunks: int, **environ) -> tuple[HttpResponse, bytes]:
    """GET through Django's WSGI handler, read some chunks and close the response, as a WSGI
    server does when the client's connection drops; the response and the bytes received."""
    request = RequestFactory().get(path, **environ)
    with connection_kept():
        response = WSGIHandler()(request.environ, lambda status, headers: None)
        received = b"".join(itertools.islice(response, chunks)) if response.streaming else b""
        response.close()
    return response, received


def link_of(purchase) -> DownloadLink:
    """The purchase's current link (the last issued, revoked or not)."""
    with partner_scope(purchase.partner):
        return DownloadLink.objects.get(purchase=purchase, retired_at__isnull=True)


def downloads_of(purchase) -> list[Download]:
    """The counted downloads through the purchase's current link, oldest first."""
    with partner_scope(purchase.partner):
        return list(Download.objects.filter(link=link_of(purchase)).order_by("id"))
