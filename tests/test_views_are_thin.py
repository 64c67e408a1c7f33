"""Views parse the request, make one service or selector call, and answer.

So a view never opens a transaction, never switches the partner scope and never queries a model
itself: those belong to the services and selectors it calls (STYLE: "services write, selectors
read"). Every module named views.py, *_views.py or api/views.py of the portal's apps is read.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
APPS = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"][
    "root_packages"
]
FORBIDDEN = {
    "opens a transaction": re.compile(r"\btransaction\.atomic\b|\bselect_for_update\("),
    "switches the partner scope": re.compile(r"\b(partner_scope|activate_partner)\("),
    "queries a model": re.compile(r"\.objects\b"),
}
VIEW_MODULES = sorted(
    path.relative_to(REPO)
    for app in APPS
    for path in (REPO / app).rglob("*.py")
    if (path.name == "views.py" or path.name.endswith("_views.py"))
    and "tests" not in path.parts
)


def test_the_view_modules_are_found():
    assert Path("orders/api/views.py") in VIEW_MODULES
    assert Path("support/staff_views.py") in VIEW_MODULES


@pytest.mark.parametrize("module", VIEW_MODULES, ids=str)
def test_a_view_leaves_transactions_scopes_and_queries_to_services_and_selectors(module):
    text = (REPO / module).read_text()
    found = [
        f"{what}: line {text.count(chr(10), 0, match.start()) + 1}"
        for what, pattern in FORBIDDEN.items()
        for match in pattern.finditer(text)
    ]
    assert found == [], f"{module} {found}"
