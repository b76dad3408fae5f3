"""``entrepot db copy``: the whole catalog from one database into an empty other.

Steps: check both revisions and the target (blank: its schema is created first; empty, or
an interrupted copy of this source to resume); copy every table in foreign-key order in
batches, each batch committed with the marker; set PostgreSQL sequences past the copied
ids; compare every table's row count and content digest (values, not bytes: ``values``),
naming the differing rows and columns of a table that does not agree (``differences``);
mark the copy done. The source is only read. A failed batch rolls back alone and raises
:class:`CopyInterrupted`: the target stays resumable.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from entrepot.catalog.copy.batches import copy_table
from entrepot.catalog.copy.checks import (
    TargetSchema,
    check_distinct,
    check_revisions,
    resumable,
)
from entrepot.catalog.copy.differences import RowDifference, differences
from entrepot.catalog.copy.digest import table_digest
from entrepot.catalog.copy.errors import CopyInterrupted, TargetNotEmpty
from entrepot.catalog.copy.marker import Marker, finish, start
from entrepot.catalog.copy.plan import TableCopy, copy_plan, row_counts
from entrepot.catalog.copy.records import CopyReport, TableCheck
from entrepot.catalog.copy.sequences import advance_sequences
from entrepot.catalog.engine import masked
from entrepot.catalog.migrate import upgrade
from entrepot.catalog.tables import metadata
from entrepot.errors import DatabaseUnavailable
from entrepot.messages import N_, Message

__all__ = ["CatalogCopy", "CopyReport", "RowDifference", "TableCheck"]

#: ``(table, rows copied so far in all tables, rows to copy in all)``
OnProgress = Callable[[str, int, int], object]


class CatalogCopy:
    """Copy the catalog of ``source`` into ``target``; the source is never written."""

    def __init__(self, source: Engine, target: Engine, *, batch_size: int = 500) -> None:
        self.source, self.target = source, target
        self.batch_size = batch_size
        self.plan: list[TableCopy] = copy_plan(metadata)
        self.source_name = masked(source.url)
        self.target_name = masked(target.url)

    def counts(self) -> dict[str, int]:
        """The rows of each table of the source, in copy order."""
        with self.source.connect() as connection:
            return row_counts(connection, self.plan)

    def check(self, *, resume: bool = False) -> Marker | None:
        """Raise unless the copy can go ahead; the interrupted copy to continue, if any."""
        return self._prepare(resume)[1]

    def blank_target(self) -> bool:
        """Whether the target has no table yet (the copy creates its schema first)."""
        return check_revisions(self.source, self.target).blank

    def _prepare(self, resume: bool) -> tuple[TargetSchema, Marker | None]:
        check_distinct(self.source, self.target)
        schema = check_revisions(self.source, self.target)
        revision = schema.revision
        if schema.blank:
            return schema, None
        with self.target.connect() as connection:
            marker = resumable(connection, self.plan, self.source_name, resume=resume)
        if marker is not None and marker.revision != revision:
            raise TargetNotEmpty(
                f"the interrupted copy in the target was made at schema revision "
                f"{marker.revision!r}, the databases are now at {revision!r}",
                hint="copy into a fresh, empty database instead",
                said=Message(
                    N_("error.catalog.copy_revision_moved"),
                    {"made_at": marker.revision, "revision": revision},
                ),
            )
        return schema, marker

    def run(
        self, *, resume: bool = False, on_progress: OnProgress | None = None, pause: float = 0.0
    ) -> CopyReport:
        """Copy (or continue) and compare; the marker is closed only if every table agrees."""
        schema, marker = self._prepare(resume)
        revision = schema.revision
        if schema.blank:
            upgrade(self.target)
        resumed = marker is not None
        counts = self.counts()
        everything = sum(counts.values())
        table = ""
        try:
            with self.target.begin() as connection:
                if marker is None:
                    marker = start(connection, self.source_name, revision)
            done = marker.rows_copied
            with self.source.connect() as source:
                for step in self.plan:
                    table = step.name

                    def moved(n: int, name: str = step.name) -> None:
                        nonlocal done
                        done += n
                        if on_progress is not None:
                            on_progress(name, done, everything)

                    copy_table(
                        source,
                        self.target,
                        step,
                        marker,
                        batch_size=self.batch_size,
                        on_rows=moved,
                        pause=pause,
                    )
            with self.target.begin() as connection:
                advance_sequences(connection, self.plan)
        except (SQLAlchemyError, DatabaseUnavailable) as exc:
            raise self._interrupted(table, exc, marker) from exc
        report = CopyReport(self.compare(), resumed, created=schema.blank)
        if report.ok:
            with self.target.begin() as connection:
                finish(connection, marker)
        return report

    def compare(self) -> list[TableCheck]:
        """Every table's count and digest, source against target; where they differ, the
        first differing rows."""
        checks = []
        with self.source.connect() as source, self.target.connect() as target:
            for step in self.plan:
                ours, theirs = table_digest(source, step), table_digest(target, step)
                found = () if ours == theirs else tuple(differences(source, target, step))
                checks.append(TableCheck(step.name, ours, theirs, found))
        return checks

    def _interrupted(self, table: str, exc: Exception, marker: Marker | None) -> CopyInterrupted:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        copied = marker.rows_copied if marker is not None else 0
        where = f" in table {table}" if table else ""
        return CopyInterrupted(
            f"the copy into {self.target_name} stopped{where} after {copied} rows: {reason}",
            hint="the source is untouched and the target keeps every committed batch: fix the "
            "cause (space, connection) and run the same command with --resume"
            if marker is not None
            else "the source and the target are untouched: fix the cause and run it again",
            said=_stopped(self.target_name, table, copied, reason, resumable=marker is not None),
        )


def _stopped(target: str, table: str, rows: int, reason: str, *, resumable: bool) -> Message:
    """A stopped copy's message: in a table or before any, resumable or not."""
    if table and resumable:
        return Message(
            N_("error.catalog.copy_stopped_in_table"),
            {"target": target, "table": table, "rows": rows, "reason": reason},
        )
    if table:
        return Message(
            N_("error.catalog.copy_stopped_in_table_untouched"),
            {"target": target, "table": table, "rows": rows, "reason": reason},
        )
    if resumable:
        return Message(
            N_("error.catalog.copy_stopped"), {"target": target, "rows": rows, "reason": reason}
        )
    return Message(
        N_("error.catalog.copy_stopped_untouched"),
        {"target": target, "rows": rows, "reason": reason},
    )
