"""Copy passes: journal the objects in scope, copy and check them, repoint in batches.

The objects in scope are the cataloged ones under the migration's folder and those of
home that no row records (``listed.py``): these are copied and checked alike, with no
row to repoint.

:func:`start` probes the destination and refuses conflicts before it opens a migration;
:func:`run_pass` journals what is not at the destination yet, copies the pending items
with ``jobs`` threads (each one :func:`~entrepot.relocation.transfer.transfer`) and, every
``batch_size`` outcomes, repoints the verified rows in one transaction. A fatal outcome (a
store that stopped answering) stops new copies; what was verified is still committed.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path

from sqlalchemy.exc import OperationalError

from entrepot.catalog.relocation import journal
from entrepot.catalog.relocation.placement import RowState
from entrepot.catalog.relocation.records import (
    Failure,
    Item,
    ItemState,
    MigrationRecord,
    Progress,
    RunReport,
    Tally,
)
from entrepot.catalog.uow import UnitOfWork
from entrepot.interrupts import interrupts_at_checkpoints
from entrepot.messages import N_, Message, Word
from entrepot.relocation import listed
from entrepot.relocation.errors import STATE_WORDS, MigrationOpen
from entrepot.relocation.parts import PAGE, Context
from entrepot.relocation.preflight import (
    Scan,
    Wanted,
    clear_unfinished,
    probe,
    refuse_conflicts,
    scan,
)
from entrepot.relocation.transfer import Outcome, transfer
from entrepot.storage.keys import normalize_prefix

#: Outcomes repointed per transaction, by default.
BATCH_SIZE = 200
#: Attempts of a repoint transaction that meets a busy database.
_ATTEMPTS = 3

OnProgress = Callable[[Progress], None]


def start(
    ctx: Context, destination_url: str, prefix: str, *, jobs: int
) -> tuple[MigrationRecord, Scan]:
    """Open a migration of the objects under ``prefix`` to ``destination_url`` once the
    destination answers, grants every permission and holds no other bytes under a
    migrated key; nothing is changed otherwise."""
    folder = normalize_prefix(prefix) if prefix else ""
    destination = ctx.store(destination_url)
    with ctx.unit() as uow:
        found = uow.journal.open_migration()
        if found is not None:
            raise MigrationOpen(
                f"migration {found.id} to {found.destination} is open ({found.state})",
                said=Message(
                    N_("error.relocation.migration_open"),
                    {
                        "id": found.id,
                        "destination": found.destination,
                        "state": Word(STATE_WORDS[found.state]),
                    },
                ),
            )
        home_id, destination_id = ctx.home_id(uow), uow.journal.store_id(destination.url)
    probe(destination)
    wanted = wanted_objects(ctx, folder, home_id=home_id, destination_id=destination_id)
    wanted.update((e.key, Wanted(e.sha256, e.size)) for e in listed.uncataloged(ctx, folder))
    result = scan(destination, wanted, prefix=folder, jobs=jobs)
    refuse_conflicts(result, destination.url)
    clear_unfinished(destination, result)
    try:
        with ctx.unit() as uow:
            record = uow.journal.create(
                destination_id=destination_id,
                prefix=folder,
                actor=ctx.actor,
                now=ctx.clock(),
            )
    except journal.JournalBusy as exc:
        raise MigrationOpen(
            exc.message,
            said=Message(N_("error.relocation.opened_meanwhile")),
        ) from None
    return record, result


def wanted_objects(
    ctx: Context, prefix: str, *, home_id: int, destination_id: int
) -> dict[str, Wanted]:
    """Key -> recorded bytes of every stored object under ``prefix`` not at the
    destination."""
    wanted: dict[str, Wanted] = {}
    after: str | None = None
    while True:
        with ctx.unit() as uow:
            found = uow.journal.candidates(
                prefix=prefix,
                home_id=home_id,
                destination_id=destination_id,
                after=after,
                limit=PAGE,
            )
        wanted.update((c.key, Wanted(c.sha256, c.size)) for c in found)
        if len(found) < PAGE:
            return wanted
        after = found[-1].key


def run_pass(
    ctx: Context,
    migration: MigrationRecord,
    *,
    jobs: int,
    deep: bool,
    batch_size: int = BATCH_SIZE,
    on_progress: OnProgress | None = None,
    known: Scan | None = None,
) -> RunReport:
    """One pass over the objects not at the destination yet (see the module docstring);
    ``known`` is the scan :func:`start` just made (else the destination is scanned)."""
    if jobs < 1 or batch_size < 1:
        raise ValueError("jobs and batch_size must be at least 1")
    began = time.monotonic()
    destination = ctx.store(migration.destination)
    with ctx.unit() as uow:
        home_id = ctx.home_id(uow)
        destination_id = uow.journal.store_of(migration.id)
        uow.journal.retry_failed(migration.id, ctx.clock())
        uow.journal.skip_deleted(migration.id, ctx.clock())
    _journal_all(ctx, migration, home_id=home_id, destination_id=destination_id)
    listed.journal_all(ctx, migration, home_id)
    if known is None:
        known = scan(
            destination, _pending_wanted(ctx, migration), prefix=migration.prefix, jobs=jobs
        )
        refuse_conflicts(known, destination.url)
        clear_unfinished(destination, known)
    with ctx.unit() as uow:
        total = uow.journal.tally(migration.id).get(ItemState.PENDING, Tally())
    state = _Pass(ctx, migration, home_id, destination_id, total, on_progress)
    items = _pending_items(ctx, migration)
    with (
        tempfile.TemporaryDirectory(prefix="entrepot-migrate-") as tmp,
        ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="migrate") as pool,
    ):
        inflight: dict[Future[Outcome], Item] = {}

        def fill() -> None:
            while state.fatal is None and len(inflight) < jobs * 2:
                item = next(items, None)
                if item is None:
                    return
                source = ctx.store(item.source)
                future = pool.submit(
                    transfer,
                    item,
                    source,
                    destination,
                    workdir=Path(tmp),
                    present=item.key in known.present,
                    deep=deep,
                    in_memory=_local(item.source),
                )
                inflight[future] = item

        with interrupts_at_checkpoints() as ctrl_c:  # never inside a catalog statement
            fill()
            while inflight:
                done, _ = wait(inflight, return_when=FIRST_COMPLETED)
                for future in done:
                    del inflight[future]
                    state.take(future.result())
                if len(state.buffer) >= batch_size:
                    state.flush()
                ctrl_c.check()
                fill()
            state.flush()
    with ctx.unit() as uow:
        after = uow.journal.tally(migration.id)
    remaining = after.get(ItemState.PENDING, Tally()) + after.get(ItemState.FAILED, Tally())
    return RunReport(
        migration=migration,
        repointed=state.moved,
        reused=state.reused,
        failures=tuple(state.failures),
        skipped=tuple(state.skipped),
        aborted=state.fatal,
        remaining=remaining,
        seconds=time.monotonic() - began,
    )


class _Pass:
    """The outcomes of one pass, committed in batches."""

    def __init__(
        self,
        ctx: Context,
        migration: MigrationRecord,
        home_id: int,
        destination_id: int,
        total: Tally,
        on_progress: OnProgress | None,
    ) -> None:
        self.ctx, self.migration = ctx, migration
        self.home_id, self.destination_id = home_id, destination_id
        self.total, self.on_progress = total, on_progress
        self.buffer: list[Outcome] = []
        self.fatal: Exception | None = None
        self.moved = Tally()
        self.reused = 0
        self.failures: list[Failure] = []
        self.skipped: list[Failure] = []
        self._done = Tally()

    def take(self, outcome: Outcome) -> None:
        if outcome.fatal is not None and self.fatal is None:
            self.fatal = outcome.fatal
        self.buffer.append(outcome)
        self._done += Tally(1, outcome.item.size)
        if self.on_progress is not None:
            done, total = self._done, self.total
            self.on_progress(Progress(done.objects, total.objects, done.bytes, total.bytes))

    def flush(self) -> None:
        if not self.buffer:
            return
        for attempt in range(_ATTEMPTS):
            try:
                with self.ctx.unit() as uow:
                    moved, skipped, failed = self._apply(uow)
                break
            except OperationalError:  # a busy SQLite file: nothing was committed
                if attempt == _ATTEMPTS - 1:
                    raise
                time.sleep(0.2 * (attempt + 1))
        moved_ids = {item.id for item in moved}
        self.moved += Tally(len(moved), sum(i.size for i in moved))
        self.reused += sum(1 for o in self.buffer if o.reused and o.item.id in moved_ids)
        self.failures += [Failure(o.item.key, o.error or "") for o in failed]
        self.skipped += [Failure(i.key, why) for i, why in skipped]
        self.buffer = []

    def _apply(self, uow: UnitOfWork) -> tuple[list[Item], list[tuple[Item, str]], list[Outcome]]:
        now = self.ctx.clock()
        settled = [o for o in self.buffer if o.fatal is None]  # the rest stays pending
        ids = [o.item.object_id for o in settled if o.item.object_id is not None]
        rows = uow.journal.row_states(ids, lock=True)
        moved: list[Item] = []
        skipped: list[tuple[Item, str]] = []
        failed: list[Outcome] = []
        for outcome in settled:
            why = _changed(outcome.item, rows, self.home_id)
            if why is not None:
                skipped.append((outcome.item, why))
            elif outcome.ok:
                moved.append(outcome.item)
            else:
                failed.append(outcome)
        uow.journal.set_locations([i.object_id for i in moved if i.object_id], self.destination_id)
        uow.journal.mark([i.id for i in moved], ItemState.REPOINTED, now)
        for item, why in skipped:
            uow.journal.mark([item.id], ItemState.SKIPPED, now, why)
        for outcome in failed:
            uow.journal.mark([outcome.item.id], ItemState.FAILED, now, outcome.error)
        uow.journal.beat(self.migration.id, self.ctx.runner, now)
        return moved, skipped, failed


def _local(url: str) -> bool:
    """Whether calls to the store at ``url`` cost no network round trip."""
    return url.split("://", 1)[0] in ("file", "memory")


def _changed(item: Item, rows: dict[int, RowState], home_id: int) -> str | None:
    """Why the row of ``item`` must not be repointed, or ``None`` (a listed item has no
    row: its copy is all there is to do)."""
    if item.listed:
        return None
    row = rows.get(item.object_id) if item.object_id is not None else None
    if row is None:
        return "the object was deleted during the migration"
    if row.sha256 != item.sha256:
        return "the object was replaced during the migration"
    if (row.location if row.location is not None else home_id) != item.source_id:
        return "the object was moved by another process during the migration"
    return None


def _journal_all(
    ctx: Context, migration: MigrationRecord, *, home_id: int, destination_id: int
) -> None:
    after: str | None = None
    while True:
        with ctx.unit() as uow:
            after = uow.journal.enqueue(
                migration,
                home_id=home_id,
                destination_id=destination_id,
                after=after,
                limit=PAGE,
                now=ctx.clock(),
            )
        if after is None:
            return


def _pending_items(ctx: Context, migration: MigrationRecord) -> Iterator[Item]:
    return (
        i for i in ctx.items(migration, ItemState.PENDING) if i.listed or i.object_id is not None
    )


def _pending_wanted(ctx: Context, migration: MigrationRecord) -> dict[str, Wanted]:
    return {item.key: Wanted(item.sha256, item.size) for item in _pending_items(ctx, migration)}
