"""Before a catalog copy: both databases at this Entrepôt's revision (a blank target, one
with no table at all or a SQLite file not yet made, is migrated by the copy itself), two
different databases, and a target that is empty or holds an interrupted copy of this very
source."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect
from sqlalchemy.engine import URL

from entrepot.catalog.copy.errors import TargetNotEmpty
from entrepot.catalog.copy.marker import Marker, markers
from entrepot.catalog.copy.plan import TableCopy, row_counts
from entrepot.catalog.engine import masked, sqlite_file
from entrepot.catalog.migrate import current, ensure_migrated, head, known_revisions
from entrepot.errors import ConfigError, NotMigrated
from entrepot.messages import N_, Message


@dataclass(frozen=True)
class TargetSchema:
    """The revision the copy is made at, and whether the target is blank (the copy
    creates its schema first)."""

    revision: str
    blank: bool = False


def check_revisions(source: Engine, target: Engine) -> TargetSchema:
    """The revision both databases are (or, for a blank target, will be) at; raises
    :class:`NotMigrated` otherwise."""
    ensure_migrated(source)
    where = masked(target.url)
    upgrade = f"ENTREPOT_DATABASE_URL='{where}' entrepot db upgrade"
    expected = head()
    missing = sqlite_file(target.url)
    if missing is not None and not missing.exists():  # connecting would create it empty
        return TargetSchema(expected, blank=True)
    at = current(target)
    if at is None:
        with target.connect() as connection:
            if not inspect(connection).get_table_names():
                return TargetSchema(expected, blank=True)
        raise NotMigrated(
            f"the target database {where} has tables but no Entrepôt schema revision",
            hint="copy into a new, empty database (the copy creates its schema)",
            said=Message(N_("error.catalog.copy_target_unversioned"), {"target": where}),
        )
    if at != expected:
        newer = at not in known_revisions()
        said = (
            Message(
                N_("error.catalog.copy_revisions_differ_newer"),
                {"target": where, "revision": at, "expected": expected},
            )
            if newer
            else Message(
                N_("error.catalog.copy_revisions_differ"),
                {"target": where, "revision": at, "expected": expected, "upgrade": upgrade},
            )
        )
        raise NotMigrated(
            f"the target database {where} is at schema revision {at!r}, the source at "
            f"{expected!r}; a copy needs both at the same revision",
            hint="upgrade this Entrepôt (the target was migrated by a newer one)"
            if newer
            else f"upgrade the target: `{upgrade}`",
            said=said,
        )
    return TargetSchema(expected)


def check_distinct(source: Engine, target: Engine) -> None:
    """Refuse to copy a database onto itself."""
    if _identity(source.url) == _identity(target.url):
        raise ConfigError(
            f"the target {masked(target.url)} is the configured database itself",
            hint="pass another database with --to",
            said=Message(N_("error.catalog.copy_onto_itself"), {"target": masked(target.url)}),
        )


def _identity(url: URL) -> str:
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return f"sqlite:{Path(url.database or '').expanduser().resolve()}"
    return url.set(password=None).render_as_string(hide_password=False)


def resumable(
    connection: Connection, plan: list[TableCopy], source: str, *, resume: bool
) -> Marker | None:
    """The interrupted copy of ``source`` to continue, or ``None`` for a fresh copy into an
    empty target; raises :class:`TargetNotEmpty` for anything else."""
    found = markers(connection)
    open_copy = next((m for m in found if m.state == "copying"), None)
    if open_copy is not None and open_copy.source != source:
        raise TargetNotEmpty(
            f"the target holds an interrupted copy of another database ({open_copy.source})",
            hint="resume it from that database, or copy into a fresh, upgraded database",
            said=Message(N_("error.catalog.copy_other_interrupted"), {"source": open_copy.source}),
        )
    if open_copy is not None:
        if not resume:
            raise TargetNotEmpty(
                f"the target holds an interrupted copy of this database "
                f"({open_copy.rows_copied} rows copied)",
                hint="continue it with --resume",
                said=Message(N_("error.catalog.copy_interrupted"), {"rows": open_copy.rows_copied}),
            )
        return open_copy
    filled = {name: n for name, n in row_counts(connection, plan).items() if n}
    if filled or found:
        rows = ", ".join(f"{name}: {n}" for name, n in list(filled.items())[:5])
        what = f"holds rows ({rows})" if filled else f"received a copy of {found[-1].source}"
        said = (
            Message(N_("error.catalog.copy_target_has_rows"), {"rows": rows})
            if filled
            else Message(N_("error.catalog.copy_target_was_copied"), {"source": found[-1].source})
        )
        raise TargetNotEmpty(
            f"the target {what}; a copy only goes into an empty database",
            hint="create a new database, run `entrepot db upgrade` on it, and copy into that",
            said=said,
        )
    return None
