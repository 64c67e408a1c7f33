"""The house's layers: which app may import which, declared once in pyproject.toml.

`[tool.importlinter]` lists the apps bottom to top; import-linter fails a change that makes a
lower app import a higher one. Two habits that would hide such an import are refused here too:
an import inside a function (the usual way a cycle is broken in secret), and a service importing
its own tasks module to enqueue work (it names the task instead, core/background.py).
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from celery import current_app

REPO = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]
APPS = set(CONFIG["root_packages"])
# Django asks for these imports inside AppConfig.ready(), once the app registry is loaded.
READY_IMPORTS_ALLOWED = {"apps.py"}
ENQUEUE_FUNCTIONS = {"task_enqueue", "task_enqueue_on_commit"}


def _app_modules():
    for app in sorted(APPS):
        for path in sorted((REPO / app).rglob("*.py")):
            parts = path.relative_to(REPO).parts
            if "tests" in parts or "migrations" in parts:
                continue
            yield path.relative_to(REPO), ast.parse(path.read_text())


def test_every_app_imports_only_the_layers_below_it():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_layers_name_every_app_of_the_portal():
    apps_on_disk = {
        path.parent.name
        for path in REPO.glob("*/apps.py")
        if path.parent.name not in {"tests", "scripts"}
    }
    assert apps_on_disk | {"csp_portal"} == APPS, "a new app needs its place in pyproject.toml"


def _imports_portal(node: ast.AST) -> bool:
    if isinstance(node, ast.ImportFrom):
        return bool(node.level) or (node.module or "").split(".")[0] in APPS
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] in APPS for alias in node.names)
    return False


def test_no_portal_module_is_imported_inside_a_function():
    found = []
    for relative, tree in _app_modules():
        if relative.name in READY_IMPORTS_ALLOWED:
            continue
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            found += [
                f"{relative}:{node.lineno}" for node in ast.walk(function) if _imports_portal(node)
            ]
    assert found == [], f"imports inside functions (a hidden cycle?): {found}"


def _enqueued_names():
    for relative, tree in _app_modules():
        if relative == Path("core/background.py"):  # the helpers themselves
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ENQUEUE_FUNCTIONS
            ):
                first = node.args[0] if node.args else None
                assert isinstance(first, ast.Constant), f"{relative}:{node.lineno} names no task"
                yield f"{relative}:{node.lineno}", first.value


@pytest.mark.parametrize(("where", "name"), list(_enqueued_names()))
def test_every_task_a_service_enqueues_by_name_is_registered(where, name):
    current_app.loader.import_default_modules()
    assert name in current_app.tasks, f"{where} enqueues {name!r}, which no task is named"
