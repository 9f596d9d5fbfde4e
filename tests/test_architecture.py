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


# The house, from the base up (docs/architecture.md draws it): a room may import the rooms
# below it, never one above; patrols, inspections and flood stand side by side and import
# none of each other.
FLOORS = [
    {"core", "geo"},
    {"accounts"},
    {"grids"},
    {"enterprises"},
    {"patrols", "inspections", "flood"},
    {"layers"},
    {"jobs"},
    {"workspaces"},
    {"demo"},
]
FLOOR_OF = {room: number for number, rooms in enumerate(FLOORS) for room in rooms}
LAYERS_ROOT = ROOT.parent / "layers"


def room_of_module(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "layers":
        return "layers"
    if parts[0] == "gridmap" and len(parts) > 1 and parts[1] in FLOOR_OF:
        return parts[1]
    return None


def house_imports():
    for room in FLOOR_OF:
        folder = LAYERS_ROOT if room == "layers" else ROOT / room
        for path in folder.rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for module in imports_of(path):
                target = room_of_module(module)
                if target and target != room:
                    yield room, target, path


def test_imports_point_down_the_house_only():
    upward = [f"{path}: {room} imports {target}" for room, target, path in house_imports()
              if FLOOR_OF[target] > FLOOR_OF[room]
              or (FLOOR_OF[target] == FLOOR_OF[room] and room not in ("core", "geo"))]
    assert not upward


def test_no_module_outside_accounts_names_a_role():
    """Outside accounts (its migrations and the demo loader aside) code asks a capability."""
    named = []
    for folder in (ROOT, LAYERS_ROOT):
        for path in folder.rglob("*.py"):
            relative = path.relative_to(folder.parent)
            if "migrations" in path.parts or relative.parts[:2] in (("gridmap", "accounts"), ("gridmap", "demo")):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (isinstance(node, ast.ImportFrom) and node.module == "gridmap.accounts.models"
                        and any(alias.name == "Role" for alias in node.names)):
                    named.append(str(relative))
    assert not named


def test_no_view_reads_posted_fields_by_hand():
    """Input goes through a form or a serializer: `request.POST` may be handed to one, never
    indexed or asked with .get()."""
    by_hand = []
    for folder in (ROOT, LAYERS_ROOT):
        for path in folder.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                target = None
                if isinstance(node, ast.Subscript):
                    target = node.value
                elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                        and node.func.attr in ("get", "getlist"):
                    target = node.func.value
                if (isinstance(target, ast.Attribute) and target.attr in ("POST", "data")
                        and isinstance(target.value, ast.Name) and target.value.id == "request"):
                    by_hand.append(f"{path}:{node.lineno}")
    assert not by_hand
