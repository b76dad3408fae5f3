"""Verify, roll back and finalize an open migration (ADR 0005).

- :func:`verify` re-reads every repointed object from the destination; one missing or
  damaged there is pointed back at its source once the source is verified, and queued.
- :func:`rollback` points every repointed row back at its source once the source is
  checked (``deep``: rehashed), exactly as it was (no location row if it had none), then
  with ``delete_copies`` removes the destination copies no row points at.
- :func:`finalize` deletes the source copies of the repointed objects (unless
  ``keep_source``) where no row points at them, and closes the migration.

A store that stops answering stops the step after committing what was checked; running
the step again continues it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from itertools import groupby
from typing import TypeVar

from entrepot.catalog.relocation.records import (
    Failure,
    Item,
    ItemState,
    MigrationRecord,
    MigrationState,
    Progress,
    Tally,
    UndoReport,
)
from entrepot.catalog.uow import UnitOfWork
from entrepot.errors import IntegrityError, ObjectNotFound
from entrepot.messages import N_, Message, Word
from entrepot.relocation.errors import STATE_WORDS, MigrationError
from entrepot.relocation.parts import Context
from entrepot.storage.protocols import Get

#: Rows changed per transaction.
BATCH = 500
#: Keys per ``delete_many`` call.
DELETE_BATCH = 1000

T = TypeVar("T")
OnProgress = Callable[[Progress], None]


def verify(
    ctx: Context, migration: MigrationRecord, *, jobs: int, on_progress: OnProgress | None = None
) -> UndoReport:
    """Re-read every repointed object from the destination (see the module docstring)."""
    destination = ctx.store(migration.destination)
    with ctx.unit() as uow:
        home_id = ctx.home_id(uow)
        destination_id = uow.journal.store_of(migration.id)
        total = uow.journal.tally(migration.id).get(ItemState.REPOINTED, Tally())

    def check(item: Item) -> tuple[str | None, str | None]:
        problem = intact(destination, item, deep=True)
        if problem is None:
            return None, None
        return problem, intact(ctx.store(item.source), item, deep=True)

    good, problems, requeue = Tally(), [], []
    tracker = _Tracker(total, on_progress)
    try:
        for item, (problem, at_source) in _each(
            ctx.items(migration, ItemState.REPOINTED), check, jobs
        ):
            tracker.step(item)
            if problem is None:
                good += Tally(1, item.size)
            elif at_source is None:
                requeue.append(item)
                problems.append(
                    Failure(item.key, f"{problem}; pointed back at its source and queued again")
                )
            else:
                problems.append(
                    Failure(item.key, f"{problem}; its source is not intact either: {at_source}")
                )
    finally:
        _in_batches(ctx, requeue, _restorer(home_id, destination_id, ctx, ItemState.PENDING))
    return UndoReport(migration, good, 0, tuple(problems))


def rollback(
    ctx: Context,
    migration: MigrationRecord,
    *,
    delete_copies: bool,
    deep: bool,
    jobs: int,
    on_progress: OnProgress | None = None,
) -> UndoReport:
    """Point every repointed row back at its checked source (see the module docstring)."""
    if migration.state is not MigrationState.RUNNING:
        raise MigrationError(
            f"migration {migration.id} is {migration.state}: finalizing deleted source copies",
            hint="complete it with `entrepot move --finalize`",
            said=Message(
                N_("error.relocation.finalizing"),
                {"id": migration.id, "state": Word(STATE_WORDS[migration.state])},
            ),
        )
    with ctx.unit() as uow:
        home_id = ctx.home_id(uow)
        destination_id = uow.journal.store_of(migration.id)
        total = uow.journal.tally(migration.id).get(ItemState.REPOINTED, Tally())
    restored: list[Item] = []
    problems: list[Failure] = []
    tracker = _Tracker(total, on_progress)

    def check(item: Item) -> str | None:
        return intact(ctx.store(item.source), item, deep=deep)

    done = Tally()
    try:
        for item, problem in _each(ctx.items(migration, ItemState.REPOINTED), check, jobs):
            tracker.step(item)
            if problem is None:
                restored.append(item)
                done += Tally(1, item.size)
            else:
                problems.append(
                    Failure(item.key, f"stays at the destination: the source {problem}")
                )
            if len(restored) >= BATCH:
                _in_batches(ctx, restored, _restorer(home_id, destination_id, ctx))
                restored = []
    finally:
        _in_batches(ctx, restored, _restorer(home_id, destination_id, ctx))
    if not problems:  # else it stays open: those rows are at the destination
        with ctx.unit() as uow:
            uow.journal.close_unfinished(migration.id, ctx.clock())
    deleted = _delete_copies(ctx, migration, destination_id, home_id) if delete_copies else 0
    if not problems:
        with ctx.unit() as uow:
            uow.journal.set_state(migration.id, MigrationState.ROLLED_BACK, ctx.clock())
    return UndoReport(migration, done, deleted, tuple(problems))


def finalize(ctx: Context, migration: MigrationRecord, *, keep_source: bool) -> UndoReport:
    """Delete the source copies of the repointed objects and close the migration; the
    caller ran a complete copy pass first."""
    now = ctx.clock()
    with ctx.unit() as uow:
        home_id = ctx.home_id(uow)
        destination_id = uow.journal.store_of(migration.id)
        uow.journal.set_state(migration.id, MigrationState.FINALIZING, now)
        uow.journal.pin_at_home(home_id)
    deleted = 0
    if not keep_source:
        items = sorted(ctx.items(migration, ItemState.REPOINTED), key=lambda i: i.source_id)
        for source_id, group in groupby(items, key=lambda i: i.source_id):
            members = list(group)
            deleted += _delete_unreferenced(
                ctx, members[0].source, source_id, [i.key for i in members], home_id
            )
    deleted += _delete_copies(ctx, migration, destination_id, home_id)
    with ctx.unit() as uow:
        moved = uow.journal.tally(migration.id).get(ItemState.REPOINTED, Tally())
        uow.journal.set_state(migration.id, MigrationState.FINALIZED, ctx.clock())
    return UndoReport(migration, moved, deleted)


def intact(store: Get, item: Item, *, deep: bool) -> str | None:
    """Why ``store`` does not hold the catalog's bytes for ``item``, or ``None``."""
    try:
        info = store.head(item.key)
        if info.size != item.size or info.sha256 != item.sha256:
            return f"holds {info.size} bytes with sha256 {info.sha256}"
        if deep:
            size = sum(len(chunk) for chunk in store.iter_bytes(item.key, sha256=item.sha256))
            if size != item.size:
                return f"reads back {size} bytes"
    except ObjectNotFound:
        return f"has no object {item.key!r}"
    except IntegrityError as exc:
        return f"reads back other bytes ({exc.message})"
    return None


def _restorer(
    home_id: int, destination_id: int, ctx: Context, state: ItemState = ItemState.ROLLED_BACK
) -> Callable[[UnitOfWork, list[Item]], None]:
    return lambda s, batch: _restore(s, batch, home_id, destination_id, state, ctx)


def _restore(
    uow: UnitOfWork,
    items: list[Item],
    home_id: int,
    destination_id: int,
    state: ItemState,
    ctx: Context,
) -> None:
    """Point the rows of ``items`` back where they were, if they are still at the
    destination with the same bytes, and move the items to ``state``."""
    rows = uow.journal.row_states([i.object_id for i in items if i.object_id], lock=True)

    def target(item: Item) -> int | None:
        # A row that had no location row gets none again, unless home has changed since.
        return None if not item.source_explicit and item.source_id == home_id else item.source_id

    movable = [
        i
        for i in items
        if i.object_id in rows
        and rows[i.object_id].sha256 == i.sha256
        and rows[i.object_id].location == destination_id
    ]
    for where, group in groupby(sorted(movable, key=lambda i: target(i) or 0), key=target):
        uow.journal.set_locations([i.object_id for i in group if i.object_id], where)
    uow.journal.mark([i.id for i in items], state, ctx.clock())


def _in_batches(
    ctx: Context, items: list[Item], apply: Callable[[UnitOfWork, list[Item]], None]
) -> None:
    for start in range(0, len(items), BATCH):
        with ctx.unit() as uow:
            apply(uow, items[start : start + BATCH])


def _delete_copies(
    ctx: Context, migration: MigrationRecord, destination_id: int, home_id: int
) -> int:
    """Delete the destination copies of the items that were not repointed (or were
    pointed back), where no row points at them."""
    keys = [
        item.key
        for state in (ItemState.ROLLED_BACK, ItemState.PENDING, ItemState.FAILED, ItemState.SKIPPED)
        for item in ctx.items(migration, state)
    ]
    return _delete_unreferenced(ctx, migration.destination, destination_id, keys, home_id)


def _delete_unreferenced(
    ctx: Context, url: str, store: int, keys: Iterable[str], home_id: int
) -> int:
    target = ctx.store(url)
    deleted = 0
    batch: list[str] = []
    for key in [*keys, None]:
        if key is not None:
            batch.append(key)
        if batch and (key is None or len(batch) >= DELETE_BATCH):
            with ctx.unit() as uow:
                kept = uow.journal.pointing_at(batch, store, home_id)
            deleted += target.delete_many([k for k in batch if k not in kept])
            batch = []
    return deleted


class _Tracker:
    def __init__(self, total: Tally, on_progress: OnProgress | None) -> None:
        self._total, self._done, self._on_progress = total, Tally(), on_progress

    def step(self, item: Item) -> None:
        self._done += Tally(1, item.size)
        if self._on_progress is not None:
            d, t = self._done, self._total
            self._on_progress(Progress(d.objects, t.objects, d.bytes, t.bytes))


def _each(items: Iterator[Item], work: Callable[[Item], T], jobs: int) -> Iterator[tuple[Item, T]]:
    """``(item, work(item))`` as they complete, ``jobs`` at a time; an exception of
    ``work`` (a store that stopped answering) stops the iteration."""
    with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="migrate") as pool:
        inflight: dict[Future[T], Item] = {}
        exhausted = False
        while True:
            while not exhausted and len(inflight) < jobs * 2:
                item = next(items, None)
                if item is None:
                    exhausted = True
                else:
                    inflight[pool.submit(work, item)] = item
            if not inflight:
                return
            done, _ = wait(inflight, return_when=FIRST_COMPLETED)
            for future in done:
                item = inflight.pop(future)
                yield item, future.result()
