"""Where two copies of a table differ: the row (by primary key), the column, and inside a
JSON document the path of the first differing value, each compared as canonical values
(``values.plain``). Called only for a table whose digest differs."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from entrepot.catalog.copy.plan import TableCopy
from entrepot.catalog.copy.values import canonical, plain

#: The differences named per table: enough to see the pattern, never the whole table.
LIMIT = 5


@dataclass(frozen=True)
class RowDifference:
    """One row that differs: ``column`` is ``None`` when the row exists on one side only
    (``source`` or ``target`` is then ``None``); ``path`` is the place inside a JSON
    document (``change_pct`` or ``days.2.count``), empty for a plain column."""

    table: str
    row: Any
    column: str | None
    path: str
    source: Any
    target: Any


def differences(
    source: Connection, target: Connection, step: TableCopy, *, limit: int = LIMIT
) -> list[RowDifference]:
    """The first ``limit`` rows of ``step`` whose values differ, by primary key."""
    ours, theirs = _row_hashes(source, step), _row_hashes(target, step)
    keys = [key for key in ours.keys() | theirs.keys() if ours.get(key) != theirs.get(key)]
    found = []
    for key in sorted(keys, key=lambda k: (str(type(k)), k))[:limit]:
        found.append(_compare(step, key, _row(source, step, key), _row(target, step, key)))
    return found


def _row_hashes(connection: Connection, step: TableCopy) -> dict[Any, bytes]:
    result = connection.execution_options(yield_per=1_000).execute(select(step.table))
    name = step.key.name
    return {row[name]: hashlib.sha256(canonical(dict(row))).digest() for row in result.mappings()}


def _row(connection: Connection, step: TableCopy, key: Any) -> dict[str, Any] | None:
    row = connection.execute(select(step.table).where(step.key == key)).mappings().first()
    return None if row is None else dict(row)


def _compare(
    step: TableCopy, key: Any, ours: dict[str, Any] | None, theirs: dict[str, Any] | None
) -> RowDifference:
    if ours is None or theirs is None:
        return RowDifference(step.name, key, None, "", ours, theirs)
    for column in (c.name for c in step.table.columns):
        a, b = plain(ours.get(column)), plain(theirs.get(column))
        if a != b:
            path = _first_path(a, b)
            return RowDifference(
                step.name,
                key,
                column,
                path,
                _at(ours.get(column), path),
                _at(theirs.get(column), path),
            )
    return RowDifference(step.name, key, None, "", ours, theirs)  # pragma: no cover


def _first_path(a: Any, b: Any, at: str = "") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for name in sorted(a.keys() | b.keys()):
            if a.get(name) != b.get(name):
                return _first_path(a.get(name), b.get(name), f"{at}.{name}" if at else name)
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _first_path(x, y, f"{at}.{i}" if at else str(i))
    return at


def _at(value: Any, path: str) -> Any:
    for part in path.split(".") if path else []:
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list):
            value = value[int(part)]
    return value
