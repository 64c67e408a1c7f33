"""Attachments go out as downloads of their checked type, never rendered by the browser."""

from __future__ import annotations

from django.http import FileResponse
from django.utils.translation import gettext as _

from core.errors import NotFound

from .attachments import attachment_storage


def attachment_response(attachment) -> FileResponse:
    """The file as a download of its checked type, never rendered inline by the browser."""
    try:
        handle = attachment_storage().open(attachment.stored_name, "rb")
    except FileNotFoundError as error:
        raise NotFound(_("This file is no longer available.")) from error
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
