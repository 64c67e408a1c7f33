"""Attacks on a download link, written as its holder would try them: Range, HEAD and GET in
every order and at once, to fetch more whole files than the link allows or to fetch unseen.

What must hold (services/downloading.py): no more than the allowance of whole files leaves,
each counted download serves at most its budget, a resume continues a counted download, and
every request that serves bytes is in the activity log with its counted download's id.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from activity.models import Event, OperationType
from catalog.models import SoftwareVariant
from core.roles import Role
from core.tenancy import partner_scope
from software import delivery
from software.services.downloading import RESUME_WINDOW, download_byte_budget
from software.tests.conftest import FILE_CONTENT
from software.tests.links import (
    body,
    cancellation_requested,
    connection_kept,
    downloads_of,
    get_then_drop,
    issue_link,
    link_of,
    needs_postgresql,
)

SIZE = len(FILE_CONTENT)
ALLOWANCE = 3
CHUNK = 1024
SERVED = (200, 206)


@pytest.fixture(autouse=True)
def _small_allowance_and_chunks(settings, monkeypatch):
    settings.DOWNLOAD_LINK_MAX_DOWNLOADS = ALLOWANCE
    monkeypatch.setattr(delivery, "CHUNK_BYTES", CHUNK)


@pytest.fixture
def path(purchase, variant):
    return issue_link(purchase, variant)


def _get(path, range_header=None, client=None, **headers):
    if range_header is not None:
        headers["HTTP_RANGE"] = range_header
    response = (client or Client()).get(path, **headers)
    return response, body(response) if response.status_code in SERVED else b""


def _download_events(purchase) -> list[Event]:
    with partner_scope(purchase.partner):
        return list(
            Event.objects.filter(
                operation_type__in=[
                    OperationType.SOFTWARE_DOWNLOAD,
                    OperationType.SOFTWARE_DOWNLOAD_RESUMED,
                ]
            ).order_by("occurred_at", "id")
        )


def _assert_within_the_allowance(purchase, served_bytes: int) -> None:
    link = link_of(purchase)
    downloads = downloads_of(purchase)
    assert link.download_count <= ALLOWANCE
    assert len(downloads) == link.download_count
    assert served_bytes <= ALLOWANCE * SIZE, "more than the allowance of whole files left"
    for download in downloads:
        assert download.bytes_reserved <= download.byte_budget == download_byte_budget(SIZE)
    # Every stream was read to its end or closed: what is reserved is what was sent.
    assert link.bytes_reserved == sum(d.bytes_reserved for d in downloads) == served_bytes


def test_bytes_1_after_a_download_is_not_a_free_copy(purchase, path):
    _response, whole = _get(path)
    assert whole == FILE_CONTENT
    answers = [_get(path, "bytes=1-") for _ in range(10)]
    statuses = [response.status_code for response, _ in answers]
    assert statuses == [206] * (ALLOWANCE - 1) + [410] * (10 - ALLOWANCE + 1)
    assert all(data == FILE_CONTENT[1:] for _, data in answers[: ALLOWANCE - 1])
    assert b"used for all the downloads" in answers[-1][0].content
    served = len(whole) + sum(len(data) for _, data in answers)
    _assert_within_the_allowance(purchase, served)
    events = _download_events(purchase)
    assert [e.operation_type for e in events] == [OperationType.SOFTWARE_DOWNLOAD] * ALLOWANCE


@pytest.mark.parametrize(
    "range_header",
    [
        "bytes=1-",
        "bytes=0-",
        "bytes=-1",
        f"bytes=-{SIZE}",
        "bytes=0-0",
        "bytes=5000-5000",
        "bytes=0-99999999999999999999999999",
        "bytes=0-0,1-1",
        "bytes=0-0, 5-",
        "items=0-5",
        "BYTES=0-",
    ],
)
def test_once_the_allowance_is_spent_no_range_gets_a_byte(purchase, path, range_header):
    for _ in range(ALLOWANCE):
        assert _get(path)[1] == FILE_CONTENT
    before = (link_of(purchase).bytes_reserved, len(_download_events(purchase)))
    response, data = _get(path, range_header)
    assert (response.status_code, data) == (410, b"")
    assert (link_of(purchase).bytes_reserved, len(_download_events(purchase))) == before


@pytest.mark.parametrize(
    "range_header",
    [
        "bytes=1-",
        "bytes=-100",
        "bytes=0-0",
        "bytes=9000-",
        "bytes=0-0,1-1",
        "items=0-5",
    ],
)
def test_any_mix_of_ranges_heads_and_gets_stays_within_the_allowance(
    purchase, path, range_header
):
    served = 0
    for turn in range(40):
        kind = turn % 4
        if kind == 0:
            response = Client().head(path)
            assert response.status_code in (200, 410) and response.content == b""
            continue
        response, data = _get(path, range_header if kind != 3 else None)
        assert response.status_code in (200, 206, 410)
        served += len(data)
    _assert_within_the_allowance(purchase, served)
    assert link_of(purchase).download_count == ALLOWANCE


def test_several_ranges_get_the_whole_file_as_a_counted_download(purchase, path):
    response, data = _get(path, "bytes=0-9,20-29")
    assert response.status_code == 200 and data == FILE_CONTENT
    assert "Content-Range" not in response
    assert link_of(purchase).download_count == 1


def test_another_unit_than_bytes_gets_the_whole_file_as_a_counted_download(purchase, path):
    response, data = _get(path, "items=0-5")
    assert response.status_code == 200 and data == FILE_CONTENT
    assert link_of(purchase).download_count == 1


@pytest.mark.parametrize(
    "range_header",
    [
        "bytes=abc",
        "bytes=",
        "bytes=-",
        "bytes=5-3",
        "bytes=-0",
        f"bytes={SIZE}-",
        f"bytes={SIZE + 10}-{SIZE + 20}",
        "bytes=99999999999999999999999999-",
        "bytes=" + "9" * 5000 + "-",
        "bytes=١-",  # an Arabic-Indic one: not an ASCII digit
        "bytes=１-",  # a fullwidth one
        "bytes=0x10-",
        "bytes=+1-",
        "bytes=1-2-3",
        "bytes=0 - 5",
    ],
)
def test_a_malformed_or_unsatisfiable_range_is_416_and_counts_nothing(
    purchase, path, range_header
):
    response, data = _get(path, range_header)
    assert response.status_code == 416 and data == b""
    assert response["Content-Range"] == f"bytes */{SIZE}"
    assert "not part of this file" in response.content.decode()
    link = link_of(purchase)
    assert (link.download_count, link.bytes_reserved, _download_events(purchase)) == (0, 0, [])


def test_an_if_range_for_this_file_resumes_and_any_other_gets_the_whole_file(
    purchase, variant, settings
):
    settings.DOWNLOAD_LINK_MAX_DOWNLOADS = 4
    path = issue_link(purchase, variant)
    first, received = get_then_drop(path, chunks=3)
    etag = first["ETag"]
    resumed, rest = _get(path, f"bytes={len(received)}-", HTTP_IF_RANGE=etag)
    assert resumed.status_code == 206 and received + rest == FILE_CONTENT
    assert link_of(purchase).download_count == 1
    for validator in ('"another-version"', "Wed, 21 Oct 2015 07:28:00 GMT", f"W/{etag}"):
        response, data = _get(path, "bytes=100-", HTTP_IF_RANGE=validator)
        assert response.status_code == 200 and data == FILE_CONTENT, validator
    assert link_of(purchase).download_count == 4


def test_head_never_counts_and_needs_a_link_that_could_count(purchase, path):
    for _ in range(5):
        head = Client().head(path, HTTP_RANGE="bytes=1-")
        assert head.status_code == 200 and head["Content-Length"] == str(SIZE)
    assert link_of(purchase).download_count == 0 and _download_events(purchase) == []
    for _ in range(ALLOWANCE):
        _get(path)
    assert Client().head(path).status_code == 410
    assert Client().head(path, HTTP_RANGE="bytes=1-").status_code == 410


def test_an_interrupted_download_gives_back_what_it_never_sent(purchase, path):
    response, received = get_then_drop(path, chunks=2)
    assert received == FILE_CONTENT[: 2 * CHUNK]
    [download] = downloads_of(purchase)
    assert download.bytes_reserved == link_of(purchase).bytes_reserved == 2 * CHUNK
    with connection_kept():
        response.close()  # a server may close twice; nothing is given back twice
    assert link_of(purchase).bytes_reserved == 2 * CHUNK


def test_a_download_dropped_before_its_first_byte_gives_everything_back(purchase, path):
    assert get_then_drop(path, chunks=0)[1] == b""
    assert link_of(purchase).bytes_reserved == 0
    assert link_of(purchase).download_count == 1, "it was counted all the same"


def test_a_download_manager_resumes_again_and_again_within_one_download(purchase, path):
    received = get_then_drop(path, chunks=1)[1]
    while len(received) < SIZE:
        response, more = get_then_drop(path, chunks=2, HTTP_RANGE=f"bytes={len(received)}-")
        assert response.status_code == 206
        received += more
    assert received == FILE_CONTENT
    assert link_of(purchase).download_count == 1
    events = _download_events(purchase)
    [download] = downloads_of(purchase)
    assert {e.details["downloadId"] for e in events} == {download.pk}
    assert [e.operation_type for e in events] == [OperationType.SOFTWARE_DOWNLOAD] + [
        OperationType.SOFTWARE_DOWNLOAD_RESUMED
    ] * (len(events) - 1)


def test_a_resume_that_asks_again_for_bytes_in_flight_fits_in_the_slack(purchase, path):
    sent = get_then_drop(path, chunks=5)[1]
    # The client got one chunk less than the server sent before the connection dropped.
    resumed, rest = _get(path, f"bytes={len(sent) - CHUNK}-")
    assert resumed.status_code == 206 and sent[:-CHUNK] + rest == FILE_CONTENT
    assert link_of(purchase).download_count == 1


def test_the_last_download_can_be_resumed_after_the_allowance_is_reached(
    purchase, variant, settings
):
    settings.DOWNLOAD_LINK_MAX_DOWNLOADS = 50
    path = issue_link(purchase, variant)
    for _ in range(49):
        assert _get(path)[1] == FILE_CONTENT
    _fiftieth, received = get_then_drop(path, chunks=4, REMOTE_ADDR="198.51.100.20")
    assert _get(path)[0].status_code == 410, "no 51st download"
    resumed, rest = _get(
        path, f"bytes={len(received)}-", client=Client(REMOTE_ADDR="203.0.113.9")
    )
    assert resumed.status_code == 206 and received + rest == FILE_CONTENT
    # Nothing more: not the whole file, not one byte of the last download's slack.
    for range_header in (None, "bytes=0-", "bytes=-1", f"bytes={len(received)}-"):
        assert _get(path, range_header)[0].status_code == 410
    link = link_of(purchase)
    assert (link.download_count, link.bytes_reserved) == (50, 50 * SIZE)
    counted, resume = _download_events(purchase)[-2:]
    assert counted.operation_type == OperationType.SOFTWARE_DOWNLOAD
    assert counted.ip_address == "198.51.100.20"
    assert resume.operation_type == OperationType.SOFTWARE_DOWNLOAD_RESUMED
    assert resume.ip_address == "203.0.113.9", "who resumed is recorded, wherever they are"
    assert resume.details["downloadId"] == counted.details["downloadId"]
    assert resume.details["range"] == f"bytes {len(received)}-{SIZE - 1}/{SIZE}"
    assert resume.object_id == counted.object_id == str(link.pk)


def test_a_resume_after_the_link_expired_is_refused(purchase, variant, time_machine):
    start = timezone.now()
    time_machine.move_to(start)
    path = issue_link(purchase, variant, at=start)
    received = get_then_drop(path, chunks=2)[1]
    time_machine.move_to(start + timedelta(days=14, seconds=1))
    response, data = _get(path, f"bytes={len(received)}-")
    assert (response.status_code, data) == (410, b"")
    assert b"It has expired." in response.content


@pytest.mark.parametrize("how", ["revoked", "retired"])
def test_a_resume_after_the_link_died_is_refused(purchase, variant, path, how):
    received = get_then_drop(path, chunks=2)[1]
    if how == "revoked":
        cancellation_requested(purchase)
    else:
        issue_link(purchase, variant)
    response, data = _get(path, f"bytes={len(received)}-")
    assert (response.status_code, data) == (410, b"")


def test_after_the_resume_window_a_range_counts_a_new_download(purchase, variant, time_machine):
    start = timezone.now()
    time_machine.move_to(start)
    path = issue_link(purchase, variant, at=start)
    received = get_then_drop(path, chunks=2)[1]
    time_machine.move_to(start + RESUME_WINDOW + timedelta(seconds=1))
    response, rest = _get(path, f"bytes={len(received)}-")
    assert response.status_code == 206 and received + rest == FILE_CONTENT
    assert link_of(purchase).download_count == 2
    assert _download_events(purchase)[-1].operation_type == OperationType.SOFTWARE_DOWNLOAD


@pytest.mark.parametrize("mode", ["x-accel", "storage-url"])
def test_when_the_proxy_or_store_serves_the_file_every_request_counts_a_whole_one(
    purchase, path, settings, mode, request
):
    if mode == "storage-url":
        request.getfixturevalue("object_storage")  # presigned URLs come from an object store
    settings.DOWNLOAD_DELIVERY = mode
    statuses = [Client().get(path, HTTP_RANGE="bytes=1-").status_code for _ in range(5)]
    handed_on = 200 if mode == "x-accel" else 302
    assert statuses == [handed_on] * ALLOWANCE + [410] * 2
    link = link_of(purchase)
    assert (link.download_count, link.bytes_reserved) == (ALLOWANCE, ALLOWANCE * SIZE)
    assert Client().head(path).status_code == 410


def _race(path, requests) -> list[tuple[str, int, int]]:
    """Send (range header or "HEAD", chunks to read or None for all) requests at once; each
    answer is (what was asked, status, bytes received)."""

    def one(request):
        range_header, chunks = request
        try:
            if range_header == "HEAD":
                return "HEAD", Client().head(path).status_code, 0
            headers = {"HTTP_RANGE": range_header} if range_header else {}
            if chunks is not None:
                response, data = get_then_drop(path, chunks=chunks, **headers)
                return "GET", response.status_code, len(data)
            response = Client().get(path, **headers)
            if response.status_code not in SERVED:
                return "GET", response.status_code, 0
            return "GET", response.status_code, len(body(response))
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(one, requests))


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_crowd_mixing_whole_ranged_head_and_dropped_requests_gets_the_allowance(
    purchase, variant
):
    path = issue_link(purchase, variant)
    kinds = [
        (None, None),
        ("bytes=1-", None),
        ("bytes=0-0", None),
        ("bytes=-100", None),
        ("HEAD", None),
        (None, 2),
        ("bytes=500-", 1),
    ]
    answers = _race(path, [kinds[i % len(kinds)] for i in range(140)])
    assert {status for _method, status, _length in answers} <= {200, 206, 410}
    byte_serving = [a for a in answers if a[0] == "GET" and a[1] in SERVED]
    assert sum(1 for a in byte_serving if a[1:] == (200, SIZE)) <= ALLOWANCE
    _assert_within_the_allowance(purchase, sum(length for _m, _s, length in answers))
    link = link_of(purchase)
    # Slack a resume used comes out of the allowance: the crowd may leave less than a whole file
    # for the last count. Either way it spent the allowance.
    assert link.download_count == ALLOWANCE or link.bytes_reserved > (ALLOWANCE - 1) * SIZE
    events = _download_events(purchase)
    assert len(events) == len(byte_serving), "every request that served bytes is in the log"
    assert {e.details["downloadId"] for e in events} == {d.pk for d in downloads_of(purchase)}


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_resumes_racing_for_the_last_download_never_exceed_its_bytes(purchase, variant):
    path = issue_link(purchase, variant)
    for _ in range(ALLOWANCE - 1):
        assert _get(path)[1] == FILE_CONTENT
    received = get_then_drop(path, chunks=1)[1]
    answers = _race(path, [(f"bytes={len(received)}-", None)] * 30 + [(None, None)] * 10)
    served = [a for a in answers if a[1] in SERVED]
    assert served == [("GET", 206, SIZE - len(received))], "one resume finishes it, no more"
    _assert_within_the_allowance(purchase, ALLOWANCE * SIZE)


def test_the_activity_log_shows_who_resumed_which_download(
    purchase, path, role_users, client_for
):
    _response, received = get_then_drop(path, chunks=2, REMOTE_ADDR="198.51.100.30")
    resumed, _rest = _get(
        path, f"bytes={len(received)}-", client=Client(REMOTE_ADDR="203.0.113.31")
    )
    assert resumed.status_code == 206
    [download] = downloads_of(purchase)
    viewer = client_for(role_users[Role.ACCOUNT_ADMIN])
    page = viewer.get("/settings/activity-log/").content.decode()
    row = page.split('data-operation="software_download_resumed"')[1].split("</tr>")[0]
    for shown in ("link holder", "203.0.113.31", "Software download resumed",
                  f"download {download.pk}", f"bytes {len(received)}-"):
        assert shown in row, shown
    counted = page.split('data-operation="software_download"')[1].split("</tr>")[0]
    assert "198.51.100.30" in counted and f"download {download.pk}" in counted
    account_admin = role_users[Role.ACCOUNT_ADMIN]
    account_admin.language = "it"
    account_admin.save(update_fields=["language"])
    italian = client_for(account_admin).get("/settings/activity-log/").content.decode()
    assert "Download del software ripreso" in italian


def test_a_range_outside_the_file_says_so_in_italian(path):
    response = Client().get(path, HTTP_RANGE=f"bytes={SIZE}-", HTTP_ACCEPT_LANGUAGE="it")
    assert response.status_code == 416
    assert f"che ha {SIZE} byte (dal byte 0 al byte {SIZE - 1})" in response.content.decode()


def test_a_file_of_gigabytes_is_counted_without_overflow(purchase, variant, settings):
    settings.DOWNLOAD_LINK_MAX_DOWNLOADS = 50
    # Only the recorded size matters to the counting: 50 times it is past a 32-bit integer.
    SoftwareVariant.objects.filter(pk=variant.pk).update(size_bytes=2_000_000_000)
    path = issue_link(purchase, variant)
    assert Client().head(path)["Content-Length"] == "2000000000"
    response, data = _get(path, "bytes=0-9")
    assert (response.status_code, data) == (206, FILE_CONTENT[:10])
    assert response["Content-Range"] == "bytes 0-9/2000000000"
    assert _get(path, "bytes=10-19")[0].status_code == 206
    assert (link_of(purchase).download_count, link_of(purchase).bytes_reserved) == (1, 20)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"])
def test_other_methods_are_405_with_a_message_and_count_nothing(purchase, path, method):
    response = Client().generic(method, path, HTTP_RANGE="bytes=0-")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"
    assert "answers GET and HEAD requests only" in response.content.decode()
    link = link_of(purchase)
    assert (link.download_count, link.bytes_reserved, _download_events(purchase)) == (0, 0, [])
