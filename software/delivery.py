"""What a download request asks for (its Range) and how the bytes leave: streamed by Django, or
handed to the proxy or the object store when the deployment says so (settings.DOWNLOAD_DELIVERY).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.utils.http import content_disposition_header

from core.numbers import ascii_int
from core.storage import presigned_download_url

CHUNK_BYTES = 64 * 1024
_RANGE_SPEC = re.compile(r"([0-9]*)-([0-9]*)")
logger = logging.getLogger(__name__)


class UnsatisfiableRange(ValueError):
    """The Range names no byte of the file, or is not a byte range at all."""


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def etag(sha256: str) -> str:
    """The file's strong validator: its SHA-256, so a changed file never resumes an old one."""
    return f'"{sha256}"'


def requested_range(
    *, range_header: str, if_range: str, file_etag: str, size: int
) -> ByteRange | None:
    """The one byte range asked for, or None for the whole file (RFC 9110, section 14).

    The whole file when there is no Range, when If-Range names another version, when the unit
    is not bytes, or when several ranges are asked for (a server may ignore Range; no multipart
    answers here). A single range that is malformed or names no byte raises UnsatisfiableRange.
    """
    if not range_header or (if_range and if_range.strip() != file_etag):
        return None
    unit, _, ranges = range_header.partition("=")
    if unit.strip().lower() != "bytes":
        return None
    specs = ranges.split(",")
    if len(specs) > 1:
        return None
    spec = _RANGE_SPEC.fullmatch(specs[0].strip())
    if spec is None or spec.group(1) == spec.group(2) == "":
        raise UnsatisfiableRange(range_header)
    first, last = spec.groups()
    if not first:  # the last N bytes
        length = min(_position(last), size)
        if length == 0:
            raise UnsatisfiableRange(range_header)
        return ByteRange(size - length, size - 1)
    start = _position(first)
    end = _position(last) if last else size - 1
    if start >= size or end < start:
        raise UnsatisfiableRange(range_header)
    return ByteRange(start, min(end, size - 1))


def _position(digits: str) -> int:
    # ascii_int refuses only numbers thousands of digits long: past the end of any file.
    value = ascii_int(digits)
    return value if value is not None else 2**63


class ReservedStream:
    """A byte range of the file in chunks; closed early, it calls give_back(unsent_bytes=n) with
    what it never sent.

    A class rather than a generator: the server closes the response even when the client left
    before the first chunk, and closing a generator that never started runs none of its code.
    """

    def __init__(self, open_file, byte_range: ByteRange, give_back: Callable[..., None]):
        self._open_file = open_file
        self._handle = None
        self._next = byte_range.start
        self._stop = byte_range.end + 1
        self._give_back = give_back
        self._closed = False

    def __iter__(self):
        return self

    def __next__(self) -> bytes:
        if self._closed or self._next >= self._stop:
            raise StopIteration
        if self._handle is None:
            self._handle = self._open_file()
            self._handle.seek(self._next)
        chunk = self._handle.read(min(CHUNK_BYTES, self._stop - self._next))
        if not chunk:
            raise StopIteration
        # Counted as sent once handed to the server, delivered or not: the slack in a
        # download's budget covers what a dropped connection had in flight.
        self._next += len(chunk)
        return chunk

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._handle is not None:
            self._handle.close()
        unsent = self._stop - self._next
        if unsent > 0:
            try:
                self._give_back(unsent_bytes=unsent)
            except Exception:  # the server ignores errors from close(); say why bytes stay held
                logger.exception("Could not give back %s unsent bytes of a download", unsent)


def _filename(variant) -> str:
    return variant.file.name.rsplit("/", 1)[-1]


def _file_headers(response: HttpResponse, variant) -> HttpResponse:
    response["Content-Disposition"] = content_disposition_header(True, _filename(variant))
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag(variant.sha256)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def head_response(variant) -> HttpResponse:
    """The headers a GET of the whole file would have, and no body."""
    response = HttpResponse(content_type="application/octet-stream")
    response["Content-Length"] = str(variant.size_bytes)
    return _file_headers(response, variant)


def file_response(
    *, variant, byte_range: ByteRange | None, give_back: Callable[..., None]
) -> HttpResponse:
    """Send the whole file (byte_range None) or one range of it, as the deployment delivers."""
    mode = settings.DOWNLOAD_DELIVERY
    if mode == "storage-url":
        # The store serves the bytes, Range included, for PRESIGNED_URL_SECONDS at most.
        response = HttpResponseRedirect(
            presigned_download_url(
                variant.file.storage,
                variant.file.name,
                filename=_filename(variant),
                content_type="application/octet-stream",
            )
        )
        response["Cache-Control"] = "private, no-store"
        return response
    if mode == "x-accel":
        # nginx serves the file, and the client's Range with it.
        response = HttpResponse(content_type="application/octet-stream")
        response["X-Accel-Redirect"] = settings.DOWNLOAD_X_ACCEL_PREFIX + variant.file.name
        return _file_headers(response, variant)
    size = variant.size_bytes
    sent = byte_range or ByteRange(0, size - 1)
    response = StreamingHttpResponse(
        ReservedStream(lambda: variant.file.open("rb"), sent, give_back),
        status=200 if byte_range is None else 206,
        content_type="application/octet-stream",
    )
    response["Content-Length"] = str(sent.length)
    if byte_range is not None:
        response["Content-Range"] = f"bytes {sent.start}-{sent.end}/{size}"
    # A proxy that read ahead would take bytes the client never got; a resume would pay again.
    response["X-Accel-Buffering"] = "no"
    return _file_headers(response, variant)
