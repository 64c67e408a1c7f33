"""docs/security.md stays true: every file and test it names as a control or a proof exists."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOC = (REPO / "docs" / "security.md").read_text()
SOURCES = {
    path.relative_to(REPO): path.read_text()
    for path in REPO.rglob("*.py")
    if ".venv" not in path.parts and "node_modules" not in path.parts
}
TEST_DEFINITIONS = {
    name for text in SOURCES.values() for name in re.findall(r"^def (test_\w+)", text, re.M)
}


def test_every_file_the_page_names_exists():
    named = set(re.findall(r"`([\w/]+\.py)", DOC))
    assert named, "the page names its controls and tests by path"
    assert sorted(name for name in named if not (REPO / name).exists()) == []


def test_every_test_the_page_names_exists():
    modules = {path.stem for path in SOURCES}
    named = set(re.findall(r"\b(test_\w+)", DOC)) - modules
    assert named, "the page names the tests that prove each control"
    assert sorted(named - TEST_DEFINITIONS) == []
