"""What a catalog copy copies: every table of the schema in foreign-key order.

Pure description, no I/O but row counts: each table with its one primary-key column (the
copy pages by it) and whether the database fills that key from a sequence (set past the
copied ids on PostgreSQL afterwards). The copy's own marker table and the leases are left
out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Column, Connection, Integer, MetaData, Table, func, select

from entrepot.catalog.copy.tables import CatalogCopyRow
from entrepot.catalog.leases.tables import LeaseRow

#: Tables that describe the database itself or the processes working on it (the leases
#: they hold now), never copied.
NOT_COPIED = frozenset({CatalogCopyRow.__tablename__, LeaseRow.__tablename__})


@dataclass(frozen=True)
class TableCopy:
    """One table to copy, paged by its primary key."""

    table: Table
    key: Column[object]

    @property
    def name(self) -> str:
        """The table's name."""
        return self.table.name

    @property
    def sequenced(self) -> bool:
        """Whether the database fills the key from a sequence (an integer id)."""
        return isinstance(self.key.type, Integer) and self.key.autoincrement in (True, "auto")


def copy_plan(metadata: MetaData) -> list[TableCopy]:
    """Every table of ``metadata`` but the marker, parents before children."""
    plan = []
    for table in metadata.sorted_tables:
        if table.name in NOT_COPIED:
            continue
        keys = list(table.primary_key.columns)
        if len(keys) != 1:  # pragma: no cover - held by the unit test over the real schema
            raise ValueError(f"table {table.name} needs one primary-key column to be copied")
        plan.append(TableCopy(table, keys[0]))
    return plan


def row_counts(connection: Connection, plan: Sequence[TableCopy]) -> dict[str, int]:
    """The number of rows of each planned table, in plan order."""
    count = func.count()
    return {
        step.name: int(connection.execute(select(count).select_from(step.table)).scalar_one())
        for step in plan
    }


def total(counts: Mapping[str, int]) -> int:
    """All the rows of ``counts``."""
    return sum(counts.values())
