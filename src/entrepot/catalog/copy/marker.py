"""The resume marker, read and written over the target's connection.

``progress`` maps a table name to ``{"after": last key copied, "rows": rows copied, "done":
bool}``; it is updated in the same transaction as the batch it describes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, insert, select, update

from entrepot.catalog.copy.tables import CatalogCopyRow

_T: Table = CatalogCopyRow.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class TableProgress:
    """How far a table got: rows copied, the last key copied, whether it is complete."""

    rows: int = 0
    after: Any = None
    done: bool = False


@dataclass
class Marker:
    """One copy into the target, as its marker row records it."""

    id: int
    source: str
    revision: str
    state: str
    rows_copied: int
    progress: dict[str, TableProgress] = field(default_factory=dict)

    def of(self, table: str) -> TableProgress:
        """The progress of ``table`` (nothing copied yet if absent)."""
        return self.progress.get(table, TableProgress())


def markers(connection: Connection) -> list[Marker]:
    """Every copy marker of the target, oldest first."""
    rows = connection.execute(select(_T).order_by(_T.c.id)).mappings()
    return [
        Marker(
            id=row["id"],
            source=row["source"],
            revision=row["revision"],
            state=row["state"],
            rows_copied=row["rows_copied"],
            progress={name: TableProgress(**value) for name, value in row["progress"].items()},
        )
        for row in rows
    ]


def start(connection: Connection, source: str, revision: str) -> Marker:
    """Record a new copy from ``source`` (already masked)."""
    now = datetime.now(UTC)
    new_id = connection.execute(
        insert(_T)
        .values(
            source=source,
            revision=revision,
            state="copying",
            progress={},
            rows_copied=0,
            started_at=now,
            updated_at=now,
        )
        .returning(_T.c.id)
    ).scalar_one()
    return Marker(new_id, source, revision, "copying", 0)


def advance(connection: Connection, marker: Marker, table: str, moved: TableProgress) -> None:
    """Record ``moved`` for ``table`` (call inside the batch's transaction)."""
    before = marker.of(table)
    marker.progress[table] = moved
    marker.rows_copied += moved.rows - before.rows
    _save(connection, marker)


def finish(connection: Connection, marker: Marker) -> None:
    """Mark the copy done."""
    marker.state = "done"
    _save(connection, marker, finished=True)


def _save(connection: Connection, marker: Marker, *, finished: bool = False) -> None:
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "state": marker.state,
        "rows_copied": marker.rows_copied,
        "progress": {
            name: {"rows": p.rows, "after": p.after, "done": p.done}
            for name, p in marker.progress.items()
        },
        "updated_at": now,
    }
    if finished:
        values["finished_at"] = now
    connection.execute(update(_T).where(_T.c.id == marker.id).values(**values))
