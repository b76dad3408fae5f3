"""Copying one table in batches: read a page from the source by primary key, insert it into
the target and advance the marker in the same transaction, so a kill loses at most the
batch in flight and the marker says where to continue."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from entrepot.catalog.copy.errors import UncopyableValue
from entrepot.catalog.copy.marker import Marker, TableProgress, advance
from entrepot.catalog.copy.plan import TableCopy
from entrepot.catalog.copy.values import normalized
from entrepot.catalog.text import first_bad
from entrepot.messages import N_, Message


def copy_table(
    source: Connection,
    target: Engine,
    step: TableCopy,
    marker: Marker,
    *,
    batch_size: int,
    on_rows: Callable[[int], object],
    pause: float = 0.0,
) -> None:
    """Copy the rows of ``step`` the marker does not yet record, ``batch_size`` at a time."""
    progress = marker.of(step.name)
    after, rows = progress.after, progress.rows
    while not progress.done:
        batch = _page(source, step, after, batch_size)
        if batch:
            after = batch[-1][step.key.name]
        rows += len(batch)
        progress = TableProgress(rows=rows, after=after, done=len(batch) < batch_size)
        _refuse_uncopyable(step, batch, rows - len(batch))
        with target.begin() as connection:
            if batch:
                connection.execute(insert(step.table), batch)
            advance(connection, marker, step.name, progress)
        on_rows(len(batch))
        if pause and not progress.done:
            time.sleep(pause)


def _page(source: Connection, step: TableCopy, after: Any, size: int) -> list[dict[str, Any]]:
    query = select(step.table).order_by(step.key).limit(size)
    if after is not None:
        query = query.where(step.key > after)
    return [
        {name: normalized(value) for name, value in row.items()}
        for row in source.execute(query).mappings()
    ]


def _refuse_uncopyable(step: TableCopy, batch: list[dict[str, Any]], copied: int) -> None:
    """Stop before the batch, naming the first row holding text no catalog can keep: every
    row before it is committed, and the copy resumes once that value is fixed."""
    for row in batch:
        for column, value in row.items():
            found = first_bad(value)
            if found is None:
                continue
            key = row[step.key.name]
            shown = found.encode("unicode_escape", "backslashreplace").decode("ascii")[:80]
            raise UncopyableValue(
                f"row {step.key.name}={key!r} of table {step.name}, column {column}, holds "
                f"a character the target cannot store (a NUL or a lone surrogate): {shown}; "
                f"{copied} rows of {step.name} were copied before it",
                hint="remove the character from that row in the source catalog (or delete "
                "the row), then run the same command with --resume",
                said=Message(
                    N_("error.uncopyable_value"),
                    {"table": step.name, "key": str(key), "column": column, "text": shown},
                ),
            )
