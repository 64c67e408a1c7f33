"""A cap on the size of one upload, enforced while the body streams in.

Django bounds form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but not files, which it spools to disk
however large they are. The cap below stops reading at SUPPORT_UPLOAD_MAX_REQUEST_BYTES, drains
the rest unread into nothing, and lets the view answer with a message instead of an error page.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect


class UploadCap(FileUploadHandler):
    """First of the handlers: passes data on until the body is larger than the cap."""

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = settings.SUPPORT_UPLOAD_MAX_REQUEST_BYTES
        self.received = 0
        self.exceeded = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # Known too large from the headers; stopped at the first file (Django does not catch
        # StopUpload here). Returning None lets the other handlers parse as usual.
        self.exceeded = content_length > self.limit

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.exceeded:
            raise StopUpload(connection_reset=False)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def upload_cap_install(request) -> UploadCap:
    """Put the cap in front of the request's handlers; call before its body is read."""
    cap = UploadCap(request)
    request.upload_handlers.insert(0, cap)
    return cap


def upload_was_cut(request) -> bool:
    return any(isinstance(h, UploadCap) and h.exceeded for h in request.upload_handlers)


def upload_capped(view):
    """Install the cap before CSRF reads the body, then check CSRF as usual.

    The CSRF middleware parses POST bodies before any view runs, too early to add a handler; so,
    as Django's documentation does it, the view is exempt from the middleware and protected here.
    """
    protected = csrf_protect(view)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        upload_cap_install(request)
        return protected(request, *args, **kwargs)

    return csrf_exempt(wrapper)


def upload_too_large_message() -> str:
    return _(
        "The upload is larger than %(limit)s in all, so nothing was saved: attach at most "
        "%(count)d files of up to %(size)s each."
    ) % {
        "limit": filesizeformat(settings.SUPPORT_UPLOAD_MAX_REQUEST_BYTES),
        "count": settings.SUPPORT_ATTACHMENT_MAX_FILES,
        "size": filesizeformat(settings.SUPPORT_ATTACHMENT_MAX_BYTES),
    }
