"""What ``entrepot db copy`` answers: records only, for the command line to render without
importing the copy machinery."""

from __future__ import annotations

from dataclasses import dataclass

from entrepot.catalog.copy.differences import RowDifference
from entrepot.catalog.copy.digest import TableDigest

__all__ = ["CopyReport", "RowDifference", "TableCheck"]


@dataclass(frozen=True)
class TableCheck:
    """One table compared after the copy, with its first differing rows if it differs."""

    name: str
    source: TableDigest
    target: TableDigest
    differences: tuple[RowDifference, ...] = ()

    @property
    def same(self) -> bool:
        """Whether the target holds exactly the source's rows."""
        return self.source == self.target


@dataclass(frozen=True)
class CopyReport:
    """A finished copy: every table compared, and whether it continued an earlier one."""

    tables: list[TableCheck]
    resumed: bool
    created: bool = False

    @property
    def ok(self) -> bool:
        """Whether every table's count and digest agree."""
        return all(check.same for check in self.tables)

    @property
    def rows(self) -> int:
        """All the rows the source holds."""
        return sum(check.source.rows for check in self.tables)

    @property
    def differences(self) -> list[RowDifference]:
        """The differing rows found, table by table."""
        return [found for check in self.tables for found in check.differences]
