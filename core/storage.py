"""Where the portal's files live: the local file system by default, an S3-compatible bucket when
AWS_STORAGE_BUCKET_NAME is set (software files, support attachments and invoice PDFs alike).

Objects are private (no ACL is ever granted); a file leaves the bucket either through the web
node that checked the request, or through a presigned URL that lives AWS_QUERYSTRING_EXPIRE
seconds, handed out per request after the same checks.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from django.conf import settings
from django.core.files.storage import Storage
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header
from storages.backends.s3 import S3Storage

S3_BACKEND = "core.storage.PrivateS3Storage"
# Long enough for a browser to follow the redirect, short enough that a copied URL is useless
# soon after; the download rule's bound under presigned delivery (software/services/downloading.py).
PRESIGNED_URL_SECONDS = 60
# Reading an object larger than this spills to a temporary file instead of memory.
READ_MEMORY_BYTES = 8 * 1024 * 1024


def object_storage_options(environ: Mapping[str, str]) -> dict | None:
    """PrivateS3Storage options from AWS_* variables; None when no bucket is configured."""
    bucket = environ.get("AWS_STORAGE_BUCKET_NAME", "")
    if not bucket:
        return None
    endpoint = environ.get("AWS_S3_ENDPOINT_URL") or None
    return {
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        "public_endpoint_url": environ.get("AWS_S3_PUBLIC_ENDPOINT_URL") or None,
        "region_name": environ.get("AWS_S3_REGION_NAME") or "us-east-1",
        # None leaves boto3 its own chain (instance or task role, ~/.aws) when no key is given.
        "access_key": environ.get("AWS_ACCESS_KEY_ID") or None,
        "secret_key": environ.get("AWS_SECRET_ACCESS_KEY") or None,
        # S3-compatible servers (MinIO, Ceph, Moto) on a host name or IP address serve buckets
        # under the path; a bucket as a subdomain of 127.0.0.1 resolves nowhere.
        "addressing_style": (
            environ.get("AWS_S3_ADDRESSING_STYLE") or ("path" if endpoint else None)
        ),
        "signature_version": "s3v4",
        "querystring_expire": int(
            environ.get("AWS_QUERYSTRING_EXPIRE") or PRESIGNED_URL_SECONDS
        ),
        # Never overwrite: the services pick unique names and delete what they replace.
        "file_overwrite": False,
        "default_acl": None,
        "max_memory_size": READ_MEMORY_BYTES,
    }


def object_storage_config(options: dict | None, *, location: str) -> dict | None:
    """A STORAGES-style entry for one prefix of the bucket; None without a bucket."""
    if options is None:
        return None
    return {"BACKEND": S3_BACKEND, "OPTIONS": {**options, "location": location}}


class PrivateS3Storage(S3Storage):
    """S3Storage whose presigned URLs name the endpoint downloaders reach.

    Inside a deployment the nodes may reach the store at an internal address (`objectstore:9000`)
    that a browser cannot; AWS_S3_PUBLIC_ENDPOINT_URL then signs URLs for the public one. Signing
    needs no request, so the second client never connects.
    """

    def __init__(self, **options):
        self._public_clients = threading.local()
        super().__init__(**options)

    def get_default_settings(self):
        return {**super().get_default_settings(), "public_endpoint_url": None}

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_public_clients", None)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        self._public_clients = threading.local()

    def url(self, name, parameters=None, expire=None, http_method=None):
        if not self.public_endpoint_url:
            return super().url(name, parameters=parameters, expire=expire, http_method=http_method)
        client = getattr(self._public_clients, "client", None)
        if client is None:
            client = self._create_session().client(
                "s3",
                region_name=self.region_name,
                endpoint_url=self.public_endpoint_url,
                config=self.client_config,
            )
            self._public_clients.client = client
        params = {**(parameters or {}), "Bucket": self.bucket_name}
        params["Key"] = self._normalize_name(name)
        return client.generate_presigned_url(
            "get_object",
            Params=params,
            ExpiresIn=expire if expire is not None else self.querystring_expire,
            HttpMethod=http_method,
        )


def is_object_storage(storage: Storage) -> bool:
    return isinstance(storage, S3Storage)


def presigned_download_url(
    storage: Storage, name: str, *, filename: str, content_type: str
) -> str:
    """A short-lived URL of the object that the store answers as a download named `filename`."""
    return storage.url(
        name,
        parameters={
            "ResponseContentDisposition": content_disposition_header(True, filename),
            "ResponseContentType": content_type,
            "ResponseCacheControl": "private, no-store",
        },
    )


def presigned_delivery(storage: Storage) -> bool:
    """Whether files of this storage leave through presigned URLs rather than this process."""
    return settings.DOWNLOAD_DELIVERY == "storage-url" and is_object_storage(storage)


def stored_file_response(
    storage: Storage, name: str, *, filename: str, content_type: str
) -> HttpResponse:
    """The stored file as a download, presigned or streamed (presigned_delivery).

    Raises FileNotFoundError when the file is gone, for the caller to answer in its own words.
    """
    if presigned_delivery(storage):
        # One HEAD: a missing object gets the portal's answer, not the store's XML error.
        if not storage.exists(name):
            raise FileNotFoundError(name)
        response = HttpResponseRedirect(
            presigned_download_url(storage, name, filename=filename, content_type=content_type)
        )
    else:
        response = FileResponse(
            storage.open(name, "rb"),
            as_attachment=True,
            filename=filename,
            content_type=content_type,
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
