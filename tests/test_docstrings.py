"""Every public service and selector says what it does in one imperative line.

Services write and selectors read (STYLE); their names are `<entity>_<action>`, and the first line
of their docstring reads as an order: "Return the customer's orders…", "Place an order…".
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
APPS = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"][
    "root_packages"
]
MODULE_NAMES = {"services.py", "selectors.py", "triage.py", "invitations.py"}
# First words of a description rather than an order ("The customer's orders", "Returns …").
NOT_IMPERATIVE = {"The", "A", "An", "Every", "One", "Any", "What", "Whether", "How", "Each"}


def _is_service_or_selector_module(path: Path) -> bool:
    parts = path.relative_to(REPO).parts
    if "tests" in parts or "migrations" in parts or path.name == "__init__.py":
        return False
    return (
        path.name in MODULE_NAMES
        or path.name.endswith("_selectors.py")
        or "services" in parts[:-1]
    )


def _public_functions():
    for app in APPS:
        for path in sorted((REPO / app).rglob("*.py")):
            if not _is_service_or_selector_module(path):
                continue
            for node in ast.parse(path.read_text()).body:
                if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                    yield f"{path.relative_to(REPO)}::{node.name}", ast.get_docstring(node)


FUNCTIONS = list(_public_functions())


def test_services_and_selectors_are_found():
    names = [name for name, _doc in FUNCTIONS]
    assert "orders/services/placing.py::order_place" in names
    assert "orders/selectors.py::purchase_get" in names


@pytest.mark.parametrize(("name", "docstring"), FUNCTIONS, ids=[name for name, _ in FUNCTIONS])
def test_a_public_service_or_selector_has_an_imperative_one_line_summary(name, docstring):
    assert docstring, f"{name} has no docstring"
    first_line = docstring.splitlines()[0]
    first_word = first_line.split()[0]
    assert first_word[0].isupper() and first_word not in NOT_IMPERATIVE, first_line
    assert not (first_word.endswith("s") and not first_word.endswith("ss")), (
        f"{name}: '{first_word}' describes; say what to do ('Return', not 'Returns')"
    )
