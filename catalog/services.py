"""Writes on the catalogue that are more than one admin form: storing software files."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile, File
from django.db import transaction

from .models import Product, SoftwareVariant, software_upload_to

_CHUNK_BYTES = 1024 * 1024


def file_fingerprint(file: File) -> tuple[int, str]:
    """Size in bytes and SHA-256 (hex) of a file, read in chunks so large images fit in memory."""
    digest, size = hashlib.sha256(), 0
    file.seek(0)
    for chunk in file.chunks(_CHUNK_BYTES):
        digest.update(chunk)
        size += len(chunk)
    file.seek(0)
    return size, digest.hexdigest()


@transaction.atomic
def software_variant_store(
    *, product: Product, version: str, language: str, file_type: str, filename: str,
    content: bytes,
) -> SoftwareVariant:
    """Create or replace a product's variant, writing its file through the default storage."""
    variant = SoftwareVariant.objects.filter(
        product=product, version=version, language=language, file_type=file_type
    ).first() or SoftwareVariant(
        product=product, version=version, language=language, file_type=file_type
    )
    upload = ContentFile(content, name=filename)
    size, sha256 = file_fingerprint(upload)
    storage = variant.file.storage
    name = software_upload_to(variant, filename)
    # Re-seeding an empty database over kept files reuses identical ones instead of copying them.
    if not (storage.exists(name) and _stored_sha256(storage, name) == sha256):
        name = storage.save(name, upload)
    previous = variant.file.name if variant.pk is not None else ""
    variant.file.name, variant.size_bytes, variant.sha256 = name, size, sha256
    variant.full_clean()
    variant.save()
    if previous and previous != name:
        # Only once the new row is committed, so a failed save never loses the current file.
        transaction.on_commit(lambda: storage.delete(previous))
    return variant


def _stored_sha256(storage, name: str) -> str:
    with storage.open(name, "rb") as stored:
        return file_fingerprint(File(stored))[1]
