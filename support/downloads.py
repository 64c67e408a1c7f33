"""Attachments go out as downloads of their checked type, never rendered by the browser."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _

from core.errors import NotFound
from core.storage import stored_file_response

from .attachments import attachment_storage


def attachment_response(attachment) -> HttpResponse:
    """The file as a download of its checked type, never rendered inline by the browser."""
    try:
        return stored_file_response(
            attachment_storage(),
            attachment.stored_name,
            filename=attachment.name,
            content_type=attachment.content_type,
        )
    except FileNotFoundError as error:
        raise NotFound(_("This file is no longer available.")) from error
