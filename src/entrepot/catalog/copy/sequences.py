"""After copying explicit ids into PostgreSQL, its sequences must start past them, or the
next insert would reuse an id. SQLite needs nothing: it takes the largest rowid (and its
``AUTOINCREMENT`` counter follows explicit inserts)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, func, select

from entrepot.catalog.copy.plan import TableCopy


def advance_sequences(connection: Connection, plan: Sequence[TableCopy]) -> None:
    """Set each sequenced key's PostgreSQL sequence past the largest copied id."""
    if connection.dialect.name != "postgresql":
        return
    for step in plan:
        if not step.sequenced:
            continue
        sequence = connection.execute(
            select(func.pg_get_serial_sequence(step.name, step.key.name))
        ).scalar_one()
        if sequence is None:
            continue
        largest: int | None = connection.execute(select(func.max(step.key))).scalar_one()  # type: ignore[assignment]
        connection.execute(select(func.setval(sequence, int(largest or 0) + 1, False)))
