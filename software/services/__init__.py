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
    keys_and_downloads_issue,
)

__all__ = [
    "DownloadGrant",
    "DownloadRefused",
    "IssuedLink",
    "KeysAndDownloads",
    "RangeNotSatisfiable",
    "download_link_consume",
    "download_release",
    "keys_and_downloads_issue",
]
