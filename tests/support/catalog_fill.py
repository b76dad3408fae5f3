"""Every catalog table filled with made-up rows, for the catalog copy tests.

The rows are derived from the schema itself (types, foreign keys, ``IN (...)`` checks), so a
table added later is filled too. Ids have gaps, text keys mix cases (SQLite and PostgreSQL
sort them differently), datetimes carry microseconds, JSON nests, nullable columns are
sometimes NULL: what a copy could get wrong.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    CHAR,
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    Table,
    Text,
    insert,
)

from entrepot.catalog.copy.digest import TableDigest, table_digest
from entrepot.catalog.copy.plan import copy_plan
from entrepot.catalog.tables import metadata

_CHOICES = re.compile(r"^(\w+) IN \((.+)\)$")


def fill_catalog(engine: Engine, rows: int = 12) -> dict[str, int]:
    """Insert ``rows`` rows into every copied table of the migrated catalog ``engine``;
    returns the count per table."""
    ids: dict[str, list[Any]] = {}
    with engine.begin() as connection:
        for step in copy_plan(metadata):
            table = step.table
            batch = [_row(table, i, ids) for i in range(rows)]
            connection.execute(insert(table), batch)
            ids[table.name] = [row[step.key.name] for row in batch]
    return {name: len(values) for name, values in ids.items()}


def _row(table: Table, i: int, ids: dict[str, list[Any]]) -> dict[str, Any]:
    choices = _choices(table)
    return {column.name: _value(table, column, i, ids, choices) for column in table.columns}


def _choices(table: Table) -> dict[str, list[Any]]:
    found = {}
    for constraint in table.constraints:
        if isinstance(constraint, CheckConstraint):
            text = str(constraint.sqltext)
            match = _CHOICES.match(text)
            if match:
                found[match[1]] = [v.strip().strip("'") for v in match[2].split(",")]
            elif " IS NULL OR " in text:  # an optional value with rules: leave it out
                found[text.split(" ", 1)[0]] = [None]
    return found


def _value(
    table: Table, column: Column[Any], i: int, ids: dict[str, list[Any]], choices: dict[str, Any]
) -> Any:
    foreign = next(iter(column.foreign_keys), None)
    if foreign is not None and foreign.column.table.name == table.name:
        return None  # a row's parent in its own table (a token's minting token): none
    if foreign is not None:
        return ids[foreign.column.table.name][i]
    if column.name in choices:
        return choices[column.name][i % len(choices[column.name])]
    if column.nullable and i % 4 == 3:
        return None
    kind = column.type
    if column.primary_key and isinstance(kind, Integer):
        return 3 * i + 2
    if isinstance(kind, Boolean):
        return i % 2 == 0
    if isinstance(kind, Integer):
        return i + 1
    if isinstance(kind, Float):
        return (i % 7) / 7
    if isinstance(kind, DateTime):
        return datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=3607 * i, microseconds=i)
    if isinstance(kind, Date):
        return date(2026, 1, 1) + timedelta(days=i)
    if isinstance(kind, JSON):
        return {"i": i, "ville": "Créteil", "nested": [1.5, True, None, {"z": i / 3}]}
    if isinstance(kind, CHAR):
        return hashlib.sha256(f"{table.name}.{column.name}.{i}".encode()).hexdigest()
    if isinstance(kind, Text):
        return f"line {i}\nsecond line, été"
    case = "Ab" if i % 2 else "aB"
    return f"{case}-{column.name}-{i}-é"[: getattr(kind, "length", None) or 64]


def catalog_digests(engine: Engine) -> dict[str, TableDigest]:
    """Every copied table's row count and content digest."""
    with engine.connect() as connection:
        return {step.name: table_digest(connection, step) for step in copy_plan(metadata)}
