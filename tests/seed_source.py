"""The source document the portal is built from, for the tests that compare with its words.

It lives beside the project in `../shared/seed/` (a worktree sits one level deeper, so every
folder above the project is tried). Without it those tests skip, except in CI (CI=true), where
they fail: the comparison must never be skipped silently there.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
ENGLISH = "seed-english.md"
# The Partner Center page as received: each Italian sentence followed by its English source.
LOCALISED = "000_4943fceb8cb50d13.txt"
_SEGMENT = re.compile(
    r'<span data-ttu-id="(?P<id>[^"]+)">(?P<it>.*?)</span>'
    r'<span class="sxs-lookup"><span data-stu-id="(?P=id)">(?P<en>.*?)</span></span>'
)


def seed_path(name: str) -> Path | None:
    for folder in PROJECT.parents:
        candidate = folder / "shared" / "seed" / name
        if candidate.is_file():
            return candidate
    return None


def seed_text(name: str) -> str:
    """The file's text; skips (fails with CI=true) when the seed is not beside the project."""
    path = seed_path(name)
    if path is None:
        reason = f"shared/seed/{name} is not beside the project (looked above {PROJECT})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI=true: the comparison with the source may not be skipped")
        pytest.skip(reason)
    return path.read_text(encoding="utf-8")


def localised_segments() -> list[tuple[str, str]]:
    """(Italian, English) for every translated segment of the localised page, as printed."""
    return [
        (html.unescape(match["it"]), html.unescape(match["en"]))
        for match in _SEGMENT.finditer(seed_text(LOCALISED))
    ]
