"""Sending a variant's file: streamed by Django with Range support, or handed to the proxy or
the object store when the deployment says so (settings.DOWNLOAD_DELIVERY)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.http import FileResponse, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.utils.http import content_disposition_header

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def requested_range(header: str, size: int) -> ByteRange | None | bool:
    """The single byte range asked for; None for the whole file; False when unsatisfiable."""
    match = _RANGE.match(header.strip()) if header else None
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        length = min(int(last), size)
        return ByteRange(size - length, size - 1) if length else False
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        return False
    return ByteRange(start, end)


def resumes(header: str) -> bool:
    """A Range that does not start at byte 0 continues a download already counted."""
    match = _RANGE.match(header.strip()) if header else None
    if match is None:
        return False
    first = match.group(1)
    return bool(first) and int(first) > 0


def _filename(variant) -> str:
    return variant.file.name.rsplit("/", 1)[-1]


def _stream(handle, byte_range: ByteRange):
    handle.seek(byte_range.start)
    remaining = byte_range.length
    try:
        while remaining > 0:
            chunk = handle.read(min(CHUNK_BYTES, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()


def file_response(request, variant) -> HttpResponse:
    mode = settings.DOWNLOAD_DELIVERY
    if mode == "storage-url":
        return HttpResponseRedirect(variant.file.url)
    if mode == "x-accel":
        response = HttpResponse(content_type="application/octet-stream")
        response["X-Accel-Redirect"] = settings.DOWNLOAD_X_ACCEL_PREFIX + variant.file.name
        response["Content-Disposition"] = content_disposition_header(True, _filename(variant))
        return response
    size = variant.size_bytes
    byte_range = requested_range(request.headers.get("Range", ""), size)
    if byte_range is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    if byte_range is None:
        response = FileResponse(
            variant.file.open("rb"),
            as_attachment=True,
            filename=_filename(variant),
            content_type="application/octet-stream",
        )
    else:
        response = StreamingHttpResponse(
            _stream(variant.file.open("rb"), byte_range),
            status=206,
            content_type="application/octet-stream",
        )
        response["Content-Range"] = f"bytes {byte_range.start}-{byte_range.end}/{size}"
        response["Content-Length"] = str(byte_range.length)
        response["Content-Disposition"] = content_disposition_header(True, _filename(variant))
    response["Accept-Ranges"] = "bytes"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
