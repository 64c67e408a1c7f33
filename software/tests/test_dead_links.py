"""A dead link answers 410 with its reason, for GET, HEAD and Range alike, and changes nothing.

No thread and no PostgreSQL feature here: this module runs on the embedded SQLite default too,
where reading a link's times once compared naive and aware datetimes (a 500 for every dead link).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from activity.models import Event, OperationType
from core.roles import Role
from core.tenancy import partner_scope
from orders.services.cancellation import purchase_cancel
from software.models import Download, DownloadLink
from software.tests.conftest import FILE_CONTENT
from software.tests.links import body, cancellation_requested, issue_link

REQUESTS = [
    ("GET", {}),
    ("HEAD", {}),
    ("GET", {"HTTP_RANGE": "bytes=0-"}),
    ("GET", {"HTTP_RANGE": "bytes=100-"}),
    ("GET", {"HTTP_RANGE": "bytes=-1"}),
]


def _expired(purchase, variant, time_machine, **_):
    start = timezone.now()
    time_machine.move_to(start)
    path = issue_link(purchase, variant, at=start)
    assert body(Client().get(path)) == FILE_CONTENT
    time_machine.move_to(start + timedelta(days=14, seconds=1))
    return path


def _used_up(purchase, variant, settings, **_):
    settings.DOWNLOAD_LINK_MAX_DOWNLOADS = 2
    path = issue_link(purchase, variant)
    for _ in range(2):
        assert body(Client().get(path)) == FILE_CONTENT
    return path


def _retired(purchase, variant, **_):
    path = issue_link(purchase, variant)
    issue_link(purchase, variant)
    return path


def _revoked(purchase, variant, **_):
    path = issue_link(purchase, variant)
    cancellation_requested(purchase)
    return path


def _purchase_cancelled(purchase, variant, role_users, **_):
    path = issue_link(purchase, variant)
    with partner_scope(purchase.partner):
        purchase_cancel(
            partner=purchase.partner,
            actor=role_users[Role.ADMIN_AGENT],
            purchase_id=purchase.pk,
            acknowledged=True,
        )
    return path


DEAD = {
    "expired": (_expired, "It has expired."),
    "used_up": (_used_up, "It has been used for all the downloads it allows."),
    "retired": (_retired, "A newer link replaced it."),
    "revoked": (_revoked, "It was revoked because the purchase was cancelled."),
    "purchase_cancelled": (
        _purchase_cancelled,
        "It was revoked because the purchase was cancelled.",
    ),
}


def _what_the_link_has_done(purchase):
    with partner_scope(purchase.partner):
        return (
            list(DownloadLink.objects.values_list("download_count", "bytes_reserved")),
            Download.objects.count(),
            Event.objects.filter(
                operation_type__in=[
                    OperationType.SOFTWARE_DOWNLOAD,
                    OperationType.SOFTWARE_DOWNLOAD_RESUMED,
                ]
            ).count(),
        )


@pytest.mark.parametrize("death", DEAD, ids=str)
def test_a_dead_link_answers_410_with_its_reason_and_changes_nothing(
    death, purchase, variant, settings, time_machine, role_users
):
    make, reason = DEAD[death]
    path = make(
        purchase=purchase,
        variant=variant,
        settings=settings,
        time_machine=time_machine,
        role_users=role_users,
    )
    before = _what_the_link_has_done(purchase)
    for method, headers in REQUESTS:
        response = Client().generic(method, path, **headers)
        assert response.status_code == 410, f"{method} {headers}"
        if method == "GET":
            assert reason in response.content.decode()
            assert "Ask your software partner for a new download link." in (
                response.content.decode()
            )
    assert _what_the_link_has_done(purchase) == before


def test_a_dead_link_says_why_in_italian(purchase, variant):
    path = issue_link(purchase, variant)
    issue_link(purchase, variant)
    response = Client().get(path, HTTP_ACCEPT_LANGUAGE="it")
    assert response.status_code == 410
    assert "È stato sostituito da un collegamento più recente." in response.content.decode()


def test_an_unknown_link_is_410_and_says_to_check_the_copy(db):
    response = Client().get("/downloads/" + "A" * 43)
    assert response.status_code == 410
    assert "No download has this link. Check that it was copied whole." in (
        response.content.decode()
    )
    italian = Client().get("/downloads/" + "A" * 43, HTTP_ACCEPT_LANGUAGE="it")
    assert "Nessun download" in italian.content.decode()
