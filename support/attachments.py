"""Attachments: the type comes from the bytes, the name is cleaned, the storage is private.

Every file of a submission is checked whole before anything of it is stored, so a refused file
leaves no trace; the files that pass are saved under random names the uploader never chose.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage
from django.template.defaultfilters import filesizeformat
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .models import Attachment, ServiceRequest

PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
TEXT, CSV = "text/plain", "text/csv"
# The extension a download gets for each type, first listed when the name has none of them:
# a text file called report.html is served as report.html.txt, never opened as a web page.
EXTENSIONS = {
    PDF: (".pdf",),
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg"),
    TEXT: (".txt",),
    CSV: (".csv",),
}
ALLOWED_LABEL = "PDF, PNG, JPEG, plain text (.txt) or CSV"
NAME_MAX_LENGTH = 100
_SNIFF_BYTES = 8192
_CHUNK_BYTES = 64 * 1024
# Letters and digits of any script, and a few harmless marks; everything else becomes "_".
_UNSAFE = re.compile(r"[^\w .()+-]", re.UNICODE)


class AttachmentRefused(ValueError):
    """A file that may not be attached, with the reason in words for the partner."""


@dataclass(frozen=True)
class CheckedFile:
    upload: File
    name: str
    content_type: str
    size: int
    sha256: str


def attachment_storage() -> Storage:
    """The private storage of attachments (SUPPORT_ATTACHMENT_STORAGE), never served by URL."""
    config = settings.SUPPORT_ATTACHMENT_STORAGE
    return import_string(config["BACKEND"])(**config.get("OPTIONS", {}))


def attachment_name_clean(raw: str) -> str:
    """A name safe to show and to offer as a download: no folders, no control characters."""
    name = unicodedata.normalize("NFKC", raw or "").replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("_", name).strip(" .")
    name = re.sub(r"_{2,}", "_", name)
    if not name:
        return "attachment"
    suffix = PurePath(name).suffix[:10]
    if len(name) > NAME_MAX_LENGTH:
        name = name[: NAME_MAX_LENGTH - len(suffix)].rstrip(" .") + suffix
    return name


def _content_type(upload: File, *, name: str) -> str:
    upload.seek(0)
    kind = filetype.guess(upload.read(_SNIFF_BYTES))
    if kind is not None and kind.mime in (PDF, PNG, JPEG):
        return kind.mime
    if kind is not None:
        raise AttachmentRefused(
            _("%(name)s contains %(type)s data: attach only %(allowed)s files.")
            % {"name": name, "type": kind.mime, "allowed": ALLOWED_LABEL}
        )
    if not _is_utf8_text(upload):
        raise AttachmentRefused(
            _("%(name)s is not a %(allowed)s file.") % {"name": name, "allowed": ALLOWED_LABEL}
        )
    return TEXT


def _is_utf8_text(upload: File) -> bool:
    """Valid UTF-8 all the way through and no NUL byte: what a text or CSV file is."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    upload.seek(0)
    try:
        for chunk in upload.chunks(_CHUNK_BYTES):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _digest(upload: File) -> str:
    sha = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks(_CHUNK_BYTES):
        sha.update(chunk)
    return sha.hexdigest()


def _download_name(name: str, content_type: str) -> tuple[str, str]:
    """The name with an extension that matches the content, and the type text files settle on."""
    suffix = PurePath(name).suffix.lower()
    if content_type == TEXT and suffix == ".csv":
        return name, CSV
    if suffix in EXTENSIONS[content_type]:
        return name, content_type
    extension = EXTENSIONS[content_type][0]
    return attachment_name_clean(name[: NAME_MAX_LENGTH - len(extension)] + extension), content_type


def attachment_check(upload: File) -> CheckedFile:
    """Check one uploaded file; raise AttachmentRefused saying why it cannot be attached."""
    name = attachment_name_clean(getattr(upload, "name", "") or "")
    size = upload.size
    if not size:
        raise AttachmentRefused(_("%(name)s is empty.") % {"name": name})
    limit = settings.SUPPORT_ATTACHMENT_MAX_BYTES
    if size > limit:
        raise AttachmentRefused(
            _("%(name)s is %(size)s; a file may be at most %(limit)s.")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)}
        )
    name, content_type = _download_name(name, _content_type(upload, name=name))
    return CheckedFile(
        upload=upload, name=name, content_type=content_type, size=size, sha256=_digest(upload)
    )


def attachments_check(uploads) -> tuple[list[CheckedFile], list[str]]:
    """Check every file of one submission; the files that pass and the reasons for the others."""
    uploads = list(uploads)
    limit = settings.SUPPORT_ATTACHMENT_MAX_FILES
    if len(uploads) > limit:
        return [], [
            _("Attach at most %(limit)d files at a time; you chose %(count)d.")
            % {"limit": limit, "count": len(uploads)}
        ]
    checked, refusals = [], []
    for upload in uploads:
        try:
            checked.append(attachment_check(upload))
        except AttachmentRefused as refusal:
            refusals.append(str(refusal))
    return checked, refusals


def attachments_store(
    *, service_request: ServiceRequest, files: Sequence[CheckedFile], actor, note=None
) -> list[Attachment]:
    """Save checked files under random names; a failure removes what this call saved."""
    storage = attachment_storage()
    saved_names, attachments = [], []
    try:
        for checked in files:
            # The partner's folder, then 128 random bits: no name the uploader chose reaches disk.
            stored_name = storage.save(
                f"{service_request.partner_id}/{secrets.token_hex(16)}", checked.upload
            )
            saved_names.append(stored_name)
            attachment = Attachment(
                partner_id=service_request.partner_id, service_request=service_request,
                note=note, name=checked.name, stored_name=stored_name,
                content_type=checked.content_type, size=checked.size, sha256=checked.sha256,
                uploaded_by=actor,
            )
            attachment.save(force_insert=True)
            attachments.append(attachment)
    except BaseException:
        for name in saved_names:
            storage.delete(name)
        raise
    return attachments
