"""``entrepot city check`` is a second computation (ADR 0089): no module it loads, directly
or through another ``entrepot`` module, computes the metrics it checks. The whole tree of
``entrepot.city.check`` is read (every ``import`` and ``from ... import``, at any depth,
followed through ``entrepot``'s own modules) and none of the processors' modules is in it."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[3] / "src"
#: What computes the stored metrics: the processors and the counts scan they read.
FORBIDDEN = (
    "entrepot.city.processors",
    "entrepot.city.pipeline",
    "entrepot.city.runs",
    "entrepot.city.bigcsv",
    "entrepot.city.counts_sql",
    "entrepot.city.counts_rows",
    "entrepot.city.counts_parts",
    "entrepot.city.counts_answer",
    "entrepot.city.counts_checks",
    "entrepot.city.readers",
    "entrepot.city.referentiel",
    "entrepot.city.stations",
    "entrepot.city.places",
    "entrepot.city.polygons",
    "entrepot.city.geo",
    "entrepot.city.report",
)


def _file(module: str) -> Path | None:
    base = SRC.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _imports(module: str, path: Path) -> set[str]:
    found: set[str] = set()
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
    parents = {".".join(m.split(".")[:i]) for m in found for i in range(1, m.count(".") + 1)}
    return {m for m in found | parents if m.startswith("entrepot") and _file(m)}


def closure(root: str) -> set[str]:
    """Every ``entrepot`` module ``root``'s package loads, at any depth."""
    package = SRC.joinpath(*root.split("."))
    todo = [f"{root}.{p.stem}" if p.stem != "__init__" else root for p in package.glob("*.py")]
    seen: set[str] = set()
    while todo:
        module = todo.pop()
        path = _file(module)
        if module in seen or path is None:
            continue
        seen.add(module)
        todo.extend(_imports(module, path) - seen)
    return seen


def test_the_check_loads_none_of_the_processors_modules() -> None:
    loaded = closure("entrepot.city.check")
    assert "entrepot.city.check.traffic" in loaded and "entrepot.city.metrics.base" in loaded
    wrong = sorted(m for m in loaded if m.startswith(FORBIDDEN))
    assert wrong == []


def test_the_walk_sees_what_the_pipeline_loads() -> None:
    # the same walk over a processor finds the modules it computes with: it can fail
    assert "entrepot.city.bigcsv" in closure("entrepot.city.processors")
