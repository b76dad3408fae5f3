"""The store-migration service: the one entry point entrypoints use (ADR 0005).

::

    migrations = StoreMigrations(home, opener, uow, actor="ops")
    migrations.estimate("models/")                      # counts, bytes, prices
    migrations.dry_run("s3://bucket/prefix")            # what a run would do; writes nothing
    report = migrations.migrate("s3://bucket/prefix", jobs=8)
    migrations.resume()                                 # after a crash or a network cut
    migrations.verify()                                 # re-read everything at the destination
    migrations.rollback(delete_copies=True)             # or:
    migrations.finalize()                               # delete the sources, close
                                                        # (refused while home keeps
                                                        # objects not moved: force=True)

``home`` is the configured store (objects without a location row are there; given the
application's :class:`LocatedStore`, the store under it is used), ``opener``
opens any other store by URL (the composition root's, with its S3 options) and
``uow`` opens the catalog's units of work (every step's transaction is one). The objects
of home no catalog row records (the city lake) are found by listing and moved too
(``listed.py``, ADR 0038). One migration is open at a time, worked on by one process at a
time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from entrepot.catalog.relocation.records import (
    Failure,
    MigrationRecord,
    MigrationState,
    MigrationStatus,
    Progress,
    RunReport,
    UndoReport,
    runner_alive,
)
from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.messages import N_, Message, Size, Word
from entrepot.relocation import copying, listed, survey, undo
from entrepot.relocation.errors import (
    STATE_WORDS,
    LeftBehind,
    MigrationIncomplete,
    MigrationInterrupted,
    MigrationOpen,
)
from entrepot.relocation.locations import LocatedStore, StoreOpener
from entrepot.relocation.parts import STALE_AFTER, Context, runner_gone, this_runner
from entrepot.relocation.prices import DEFAULT_PRICES, Price, load_prices
from entrepot.relocation.records import DryRun, Estimate
from entrepot.sizes import human_size
from entrepot.storage.protocols import Store

OnProgress = Callable[[Progress], None]
#: Threads copying or checking objects at once, by default.
JOBS = 4


class StoreMigrations:
    """Move every cataloged object to another store, safely (see the module docstring)."""

    def __init__(
        self,
        home: Store,
        opener: StoreOpener,
        uow: UnitOfWorkFactory,
        *,
        actor: str,
        clock: Callable[[], datetime] | None = None,
        runner: str | None = None,
        stale_after: timedelta = STALE_AFTER,
    ) -> None:
        if isinstance(home, LocatedStore):  # its reads follow the rows: we need the store
            home = home.home
        self._ctx = Context(home, opener, uow, actor, runner=runner or this_runner())
        if clock is not None:
            self._ctx.clock = clock
        self._ctx.stale_after = stale_after

    # -- looking ---------------------------------------------------------------
    def status(self) -> MigrationStatus | None:
        """The open migration, else the last one, with its items per state."""
        with self._ctx.unit() as uow:
            found = uow.journal.open_migration() or uow.journal.last_migration()
            if found is None:
                return None
            return MigrationStatus(found, uow.journal.tally(found.id), self._alive(found))

    def _alive(self, migration: MigrationRecord) -> bool:
        """Whether the migration's runner still works on it: named, its heartbeat younger
        than :data:`STALE_AFTER`, and not a process of this host that has ended."""
        return runner_alive(
            migration.runner,
            migration.heartbeat_at,
            now=self._ctx.clock(),
            stale_after=STALE_AFTER,
            is_gone=runner_gone,
        )

    def failures(self, limit: int = 20) -> list[Failure]:
        """The failed objects of the open migration (at most ``limit``), with the reasons."""
        migration = self._ctx.open_migration()
        with self._ctx.unit() as uow:
            return [Failure(k, why) for k, why in uow.journal.errors(migration.id, limit)]

    def estimate(
        self,
        prefix: str = "",
        *,
        prices: Mapping[str, Price] = DEFAULT_PRICES,
        prices_file: Path | None = None,
        reads_per_month: int = 0,
    ) -> Estimate:
        """Count, locate and price the cataloged objects under ``prefix``; reads only.
        ``prices_file``: a JSON file of providers overriding or added to ``prices``."""
        if prices_file is not None:
            prices = load_prices(prices_file, prices)
        return survey.survey(self._ctx, prefix, prices, reads_per_month=reads_per_month)

    def dry_run(self, to: str, prefix: str = "", *, jobs: int = JOBS) -> DryRun:
        """What :meth:`migrate` (or :meth:`resume`) would do now; writes nothing."""
        return survey.dry_run(self._ctx, to, prefix, jobs=jobs)

    # -- moving ----------------------------------------------------------------
    @contextmanager
    def _running(self, migration: MigrationRecord) -> Iterator[None]:
        """Hold ``migration`` for a copy pass; Ctrl-C releases it (the journal then holds it
        open with no runner: interrupted) and is raised as :class:`MigrationInterrupted`."""
        try:
            with self._ctx.claimed(migration):
                yield
        except KeyboardInterrupt:
            raise MigrationInterrupted(migration.id) from None

    def migrate(
        self,
        to: str,
        prefix: str = "",
        *,
        jobs: int = JOBS,
        deep: bool = False,
        batch_size: int = copying.BATCH_SIZE,
        on_progress: OnProgress | None = None,
    ) -> RunReport:
        """Open a migration of the objects under ``prefix`` to the store ``to`` and run a
        copy pass. Raises, before changing any row, if the destination is unreachable,
        lacks a permission or holds other bytes under a migrated key. ``deep`` re-reads
        every copy from the destination before its row moves."""
        migration, scanned = copying.start(self._ctx, to, prefix, jobs=jobs)
        with self._running(migration):
            return copying.run_pass(
                self._ctx,
                migration,
                jobs=jobs,
                deep=deep,
                batch_size=batch_size,
                on_progress=on_progress,
                known=scanned,
            )

    def resume(
        self,
        *,
        to: str | None = None,
        jobs: int = JOBS,
        deep: bool = False,
        batch_size: int = copying.BATCH_SIZE,
        on_progress: OnProgress | None = None,
    ) -> RunReport:
        """Run another copy pass of the open migration: objects not repointed yet (failed
        ones included, and those written since) are copied, or only checked if their copy
        already landed. ``to``, when given, must be the open migration's destination."""
        migration = self._ctx.open_migration()
        if to is not None and self._ctx.store(to).url != migration.destination:
            raise MigrationOpen(
                f"the open migration {migration.id} goes to {migration.destination}, not {to}",
                said=Message(
                    N_("error.relocation.other_destination"),
                    {"id": migration.id, "destination": migration.destination, "to": to},
                ),
            )
        if migration.state is not MigrationState.RUNNING:
            raise MigrationOpen(
                f"migration {migration.id} is {migration.state}",
                said=Message(
                    N_("error.relocation.not_running"),
                    {"id": migration.id, "state": Word(STATE_WORDS[migration.state])},
                ),
            )
        with self._running(migration):
            return copying.run_pass(
                self._ctx,
                migration,
                jobs=jobs,
                deep=deep,
                batch_size=batch_size,
                on_progress=on_progress,
            )

    def verify(self, *, jobs: int = JOBS, on_progress: OnProgress | None = None) -> UndoReport:
        """Re-read every repointed object of the open migration from the destination; one
        missing or damaged there is pointed back at its verified source and queued again
        (``resume`` copies it again)."""
        migration = self._ctx.open_migration()
        with self._ctx.claimed(migration):
            return undo.verify(self._ctx, migration, jobs=jobs, on_progress=on_progress)

    def rollback(
        self,
        *,
        delete_copies: bool = False,
        deep: bool = False,
        jobs: int = JOBS,
        on_progress: OnProgress | None = None,
    ) -> UndoReport:
        """Point every repointed row back at its source, once the source is checked
        (``deep``: rehashed); ``delete_copies`` then removes the destination copies no
        row points at. Rows whose source is gone stay at the destination and are
        reported; the migration then stays open."""
        migration = self._ctx.open_migration()
        with self._ctx.claimed(migration):
            return undo.rollback(
                self._ctx,
                migration,
                delete_copies=delete_copies,
                deep=deep,
                jobs=jobs,
                on_progress=on_progress,
            )

    def finalize(
        self,
        *,
        keep_source: bool = False,
        force: bool = False,
        jobs: int = JOBS,
        deep: bool = False,
        batch_size: int = copying.BATCH_SIZE,
        on_progress: OnProgress | None = None,
    ) -> tuple[RunReport | None, UndoReport]:
        """Run a last copy pass (objects written meanwhile), then, if every object in
        scope is at the destination, delete the source copies (unless ``keep_source``) and
        close the migration; raises :class:`MigrationIncomplete` otherwise, and
        :class:`LeftBehind` while the configured store holds objects the migration did
        not move (outside its folder), unless ``force``: cataloged ones are then pinned
        where they are. After this, set ``ENTREPOT_STORE_URL`` to the destination."""
        migration = self._ctx.open_migration()
        with self._ctx.claimed(migration):
            last: RunReport | None = None
            if migration.state is MigrationState.RUNNING:
                last = copying.run_pass(
                    self._ctx,
                    migration,
                    jobs=jobs,
                    deep=deep,
                    batch_size=batch_size,
                    on_progress=on_progress,
                )
                if not last.complete:
                    raise _incomplete(last)
                if not force:
                    _refuse_left_behind(self._ctx, migration)
            return last, undo.finalize(self._ctx, migration, keep_source=keep_source)


def _refuse_left_behind(ctx: Context, migration: MigrationRecord) -> None:
    found = listed.left_behind(ctx, migration)
    if not found.total.objects:
        return
    groups = [("", found.cataloged), (" not cataloged", found.uncataloged)]
    shown = "; ".join(
        f"{folder or '(top level)'}{label}: {t.objects} object(s), {human_size(t.bytes)}"
        for label, counts in groups
        for folder, t in sorted(counts.items())
    )
    raise LeftBehind(
        f"{ctx.home.url} still holds {found.total.objects} object(s), "
        f"{human_size(found.total.bytes)} that migration {migration.id} did not move to "
        f"{migration.destination} ({shown}); nothing was deleted",
        said=Message(
            N_("error.relocation.left_behind"),
            {
                "home": ctx.home.url,
                "objects": found.total.objects,
                "size": Size(found.total.bytes),
                "id": migration.id,
                "destination": migration.destination,
                "folders": shown,
            },
        ),
    )


def _incomplete(report: RunReport) -> MigrationIncomplete:
    objects, destination = report.remaining.objects, report.migration.destination
    if report.aborted is not None:
        why = f"the last pass stopped: {report.aborted}"
        said = Message(
            N_("error.relocation.incomplete_stopped"),
            {"objects": objects, "destination": destination, "reason": str(report.aborted)},
        )
    else:
        shown = "; ".join(f"{f.key}: {f.reason}" for f in report.failures[:5])
        why = f"{len(report.failures)} object(s) failed ({shown})"
        said = Message(
            N_("error.relocation.incomplete_failed"),
            {
                "objects": objects,
                "destination": destination,
                "failed": len(report.failures),
                "first": shown,
            },
        )
    return MigrationIncomplete(
        f"{report.remaining.objects} object(s) are not at {report.migration.destination} "
        f"yet: {why}; nothing was deleted",
        said=said,
    )
