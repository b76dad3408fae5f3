"""Every refusal a service raises carries its message (issue 39, item 3): a key and its
values (``said=Message(...)``), so a page, an API answer under ``Accept-Language`` and a
command under ``LANG`` write the facts in the reader's language, not only in English.

One whole-tree test: each ``raise SomeError(...)`` anywhere in ``src/entrepot``, where
``SomeError`` is an :class:`~entrepot.errors.EntrepotError`, passes ``said=``, or raises an
error class whose own ``__init__`` builds its message (``TooManyAttempts``)."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import entrepot
from entrepot.errors import EntrepotError

SRC = Path(entrepot.__file__).resolve().parent


def _error_classes() -> dict[str, list[type[EntrepotError]]]:
    for found in pkgutil.walk_packages(entrepot.__path__, "entrepot."):
        importlib.import_module(found.name)

    def below(kind: type[EntrepotError]) -> Iterator[type[EntrepotError]]:
        for sub in kind.__subclasses__():
            yield sub
            yield from below(sub)

    by_name: dict[str, list[type[EntrepotError]]] = {}
    kinds: set[type[EntrepotError]] = {EntrepotError, *below(EntrepotError)}
    for kind in kinds:
        by_name.setdefault(kind.__name__, []).append(kind)
    return by_name


def _builds_its_message(kind: type[EntrepotError]) -> bool:
    own = kind.__dict__.get("__init__")
    return own is not None and "said=" in inspect.getsource(own)


def _called(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _files() -> Iterator[Path]:
    """Every module of the product: a new package is held from its first raise site."""
    yield from sorted(SRC.rglob("*.py"))


def test_every_refusal_in_the_tree_carries_its_message() -> None:
    errors = _error_classes()
    offenders = []
    for path in _files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            kinds = errors.get(_called(node.exc) or "")
            if not kinds or any(k.arg == "said" for k in node.exc.keywords):
                continue
            if all(_builds_its_message(k) for k in kinds):
                continue
            offenders.append(f"{path.relative_to(SRC)}:{node.lineno} {_called(node.exc)}")
    offenders.sort()
    assert offenders == [], "give each a said=Message(N_('error....'), {...}):\n" + "\n".join(
        offenders
    )


def test_the_check_sees_the_refusals_it_holds() -> None:
    """The walk finds raise sites of every layer (a check that saw none would pass)."""
    errors = _error_classes()
    seen: set[str] = set()
    for path in _files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            raised = isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
            if raised and errors.get(_called(node.exc) or ""):  # type: ignore[attr-defined]
                seen.add(path.relative_to(SRC).parts[0])
    assert {"storage", "catalog", "registry", "fraud", "city", "cli", "api", "web"} <= seen
