"""Writes on activation keys, download links and the downloads through them."""

from .downloading import (
    DownloadGrant,
    DownloadRefused,
    RangeNotSatisfiable,
    download_link_consume,
    download_release,
)
from .issuing import (
    IssuedLink,
    KeysAndDownloads,
    activation_keys_issue,
    keys_and_downloads_get,
    purchase_keys_and_links_revoke,
)

__all__ = [
    "DownloadGrant",
    "DownloadRefused",
    "IssuedLink",
    "KeysAndDownloads",
    "RangeNotSatisfiable",
    "activation_keys_issue",
    "download_link_consume",
    "download_release",
    "keys_and_downloads_get",
    "purchase_keys_and_links_revoke",
]
