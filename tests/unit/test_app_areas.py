"""The App shows areas only (issue 39): its public names are its areas and the settings,
and a door (``api``, ``web``, ``dashboard``, ``cli``, ``http``, ``asgi``) reaches nothing of
it but an area: the engine, the units of work, the stores and the cache are the
composition root's. One whole-tree test lists every offender."""

from __future__ import annotations

import ast
from pathlib import Path

from entrepot.bootstrap.app import AREAS, App

SRC = Path(__file__).resolve().parents[2] / "src" / "entrepot"
DOORS = ("api", "web", "dashboard", "cli", "http")
#: How a door holds the App where its type is not checked for it: the names it is bound
#: to, the calls that return it, the request state's attribute (``app.state.entrepot``,
#: typed ``Any``). Where the App is typed, mypy (strict over ``src/``) holds the same rule:
#: the App has no other public name to reach.
APP_NAMES = frozenset({"services", "core", "entrepot_app"})
APP_CALLS = frozenset({"current_app", "given_app", "_app", "bootstrap"})
APP_ATTRIBUTES = frozenset({"entrepot", "services"})


def _door_modules() -> list[Path]:
    found = [SRC / "asgi.py"]
    for door in DOORS:
        found += sorted((SRC / door).rglob("*.py"))
    return found


def _holds_app(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return node.id in APP_NAMES
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        return name in APP_CALLS
    if isinstance(node, ast.Attribute):
        return node.attr in APP_ATTRIBUTES
    return False


def _reaches(tree: ast.AST) -> list[tuple[int, str]]:
    """``(line, name)`` of every App member a module reaches through an App it holds."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _holds_app(node.value):
            found.append((node.lineno, node.attr))
    return found


def test_the_app_shows_its_areas_and_the_settings_only() -> None:
    public = {name for name in dir(App) if not name.startswith("_")}
    assert public == AREAS
    assert len(public) <= 12


def test_a_door_reaches_nothing_of_the_app_but_an_area() -> None:
    offenders = []
    for path in _door_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        offenders += [
            f"{path.relative_to(SRC)}:{line} .{name}"
            for line, name in _reaches(tree)
            if name not in AREAS and not name.startswith("__")
        ]
    assert offenders == [], "doors reaching past the App's areas:\n" + "\n".join(offenders)


def test_no_door_reaches_a_private_member() -> None:
    """The App's parts are private (``_parts``): no door reaches a private member of
    anything but itself."""
    offenders = []
    for path in _door_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and not (isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"})
            ):
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno} {ast.unparse(node)}")
    assert offenders == []


def test_the_rule_sees_a_door_reaching_a_part() -> None:
    """The rule can fail: a door that reads the engine or a unit of work is found."""
    tree = ast.parse("services.uow\ncurrent_app().engine\nrequest.app.state.entrepot.store\n")
    assert [name for _, name in _reaches(tree)] == ["uow", "engine", "store"]
