"""The house's import rules that issue 15 set: flood and inspections are peers, and no app
registers code into another at start-up."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "gridmap"


def imports_of(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def imported_modules(folder: Path):
    for path in folder.rglob("*.py"):
        for module in imports_of(path):
            yield path, module


@pytest.mark.parametrize("app,forbidden", [("flood", "gridmap.inspections"), ("inspections", "gridmap.flood")])
def test_flood_and_inspections_do_not_import_each_other(app, forbidden):
    found = [f"{path.relative_to(ROOT)}: {module}" for path, module in imported_modules(ROOT / app)
             if module == forbidden or module.startswith(forbidden + ".")]
    assert not found


def test_no_peer_registers_code_into_another_at_start_up():
    peers = ("gridmap.flood", "gridmap.inspections", "gridmap.patrols")
    for app in peers:
        path = ROOT / app.split(".")[1] / "apps.py"
        others = [module for module in imports_of(path)
                  if module.startswith(peers) and not module.startswith(app)]
        assert not others, path
