"""For any sequence of requests on a link (GET, HEAD, Range of any shape, If-Range, streams
dropped part way, a day passing), the rule of services/downloading.py holds:

- no more than the allowance of whole files leaves (bytes served <= allowance x size);
- each counted download serves at most its budget, and exactly what it has reserved;
- every request that serves bytes adds one activity event naming a counted download of the link,
  and a request that serves none adds none; the bytes are the file's, where Content-Range says.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activity.models import Event, OperationType
from core.tenancy import partner_scope
from software import delivery
from software.tests.conftest import FILE_CONTENT
from software.tests.links import body, downloads_of, get_then_drop, issue_link, link_of

SIZE = len(FILE_CONTENT)
ALLOWANCE = 2
CHUNK = 1024

_positions = st.one_of(st.integers(0, SIZE + 50), st.just(10**30))
_range_headers = st.one_of(
    st.builds("bytes={}-{}".format, _positions, _positions),
    st.builds("bytes={}-".format, _positions),
    st.builds("bytes=-{}".format, _positions),
    st.builds("bytes={}-{},{}-".format, _positions, _positions, _positions),
    st.text(alphabet="bytes=0123456789-, itm١", max_size=14),
)
# Mostly GETs of the whole file read to the end, so that sequences reach the allowance and
# then try every other way past it.
_requests = st.lists(
    st.tuples(
        st.sampled_from(["GET"] * 6 + ["HEAD", "A DAY PASSES"]),
        st.one_of(st.none(), st.none(), _range_headers),
        st.sampled_from([None, None, "this file", "another"]),  # If-Range
        st.sampled_from([None, None, None, 0, 1, 2, 5, 12]),  # chunks read before a drop
    ),
    min_size=1,
    max_size=14,
)


def _events_of(purchase, link_id: int) -> list[Event]:
    with partner_scope(purchase.partner):
        return list(
            Event.objects.filter(
                object_id=str(link_id),
                operation_type__in=[
                    OperationType.SOFTWARE_DOWNLOAD,
                    OperationType.SOFTWARE_DOWNLOAD_RESUMED,
                ],
            )
        )


def _first_byte(response) -> int:
    if response.status_code == 200:
        return 0
    return int(response["Content-Range"].removeprefix("bytes ").split("-")[0])


@settings(
    max_examples=40,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(requests=_requests)
def test_no_sequence_of_requests_gets_more_than_the_allowance(
    purchase, variant, settings, monkeypatch, time_machine, requests
):
    settings.DOWNLOAD_LINK_MAX_DOWNLOADS = ALLOWANCE
    monkeypatch.setattr(delivery, "CHUNK_BYTES", CHUNK)
    time_machine.move_to(timezone.now())
    path = issue_link(purchase, variant)
    link_id = link_of(purchase).pk
    if_ranges = {"this file": f'"{variant.sha256}"', "another": '"another"'}
    served_by_download: Counter[int] = Counter()
    for method, range_header, if_range, chunks in requests:
        if method == "A DAY PASSES":
            time_machine.shift(timedelta(days=1))
            continue
        headers = {"HTTP_RANGE": range_header} if range_header is not None else {}
        if if_range is not None:
            headers["HTTP_IF_RANGE"] = if_ranges[if_range]
        before = _events_of(purchase, link_id)
        if method == "HEAD":
            response, data = Client().head(path, **headers), b""
        elif chunks is None:
            response = Client().get(path, **headers)
            data = body(response) if response.streaming else b""
        else:
            response, data = get_then_drop(path, chunks=chunks, **headers)
        assert response.status_code in (200, 206, 410, 416)
        new_events = [e for e in _events_of(purchase, link_id) if e not in before]
        if method == "GET" and response.status_code in (200, 206):
            [event] = new_events
            assert event.details["downloadId"] in {d.pk for d in downloads_of(purchase)}
            served_by_download[event.details["downloadId"]] += len(data)
            start = _first_byte(response)
            assert data == FILE_CONTENT[start : start + len(data)]
        else:
            assert new_events == [] and data == b""
    link = link_of(purchase)
    downloads = downloads_of(purchase)
    assert link.download_count == len(downloads) <= ALLOWANCE
    assert sum(served_by_download.values()) <= ALLOWANCE * SIZE
    for download in downloads:
        assert served_by_download[download.pk] == download.bytes_reserved <= download.byte_budget
    assert link.bytes_reserved == sum(served_by_download.values())
