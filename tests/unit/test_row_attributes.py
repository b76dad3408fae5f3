"""A row of ``iterrows()`` is a Series and a row of ``itertuples()`` a tuple: reading a
column as an attribute (``r.empty``, ``r.count``, ``r.size``...) gives the container's own
attribute when the name clashes, silently. Rows are read by key (``r["empty"]``) wherever
the name is one of those attributes; this walk over ``src/`` holds it."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

SRC = Path(__file__).resolve().parents[2] / "src" / "entrepot"
#: Names a row answers itself instead of giving the column: every public attribute of a
#: Series (``empty``, ``size``, ``index``, ``values``, ``min``, ``max``, ``name``...) or a
#: tuple (``count``, ``index``).
CLASHES = frozenset(n for n in {*dir(pd.Series), *dir(tuple)} if not n.startswith("_"))
ROW_ITERATORS = ("iterrows", "itertuples")

Loop = ast.For | ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp


def _row_names(target: ast.expr, method: str) -> set[str]:
    if method == "iterrows" and isinstance(target, ast.Tuple) and len(target.elts) == 2:
        target = target.elts[1]
    return {target.id} if isinstance(target, ast.Name) else set()


def _method(node: ast.expr) -> str | None:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr if node.func.attr in ROW_ITERATORS else None
    return None


def _loops(tree: ast.AST) -> Iterator[tuple[set[str], list[ast.AST]]]:
    # (row variable names, the nodes where they are in scope) of every loop over rows
    for node in ast.walk(tree):
        if isinstance(node, ast.For) and (method := _method(node.iter)):
            yield _row_names(node.target, method), list(node.body)
        elif isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            names = set()
            for gen in node.generators:
                if method := _method(gen.iter):
                    names |= _row_names(gen.target, method)
            scope: list[ast.AST] = [*(i for g in node.generators for i in g.ifs)]
            scope += [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
            if names:
                yield names, scope


def clashing_reads(source: str) -> list[tuple[int, str]]:
    """(line, ``row.attribute``) for each row attribute read that is the container's own."""
    found = []
    for names, scope in _loops(ast.parse(source)):
        for top in scope:
            for node in ast.walk(top):
                if (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Name)
                    and node.value.id in names
                    and node.attr in CLASHES
                ):
                    found.append((node.lineno, f"{node.value.id}.{node.attr}"))
    return found


def test_the_walk_sees_the_clash() -> None:
    source = (
        "for h, r in hourly.iterrows():\n    x = r.empty\n"
        "y = [s.count for s in frame.itertuples()]\n"
        "z = {k: r['empty'] for k, r in f.iterrows()}\n"
        "for r in rows:\n    r.get('a')\n"
    )
    assert clashing_reads(source) == [(2, "r.empty"), (3, "s.count")]


def test_rows_are_read_by_key_where_a_column_name_clashes() -> None:
    found = [
        f"{path.relative_to(SRC)}:{line}: {read}"
        for path in sorted(SRC.rglob("*.py"))
        for line, read in clashing_reads(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "read these columns as row['name']: " + ", ".join(found)
