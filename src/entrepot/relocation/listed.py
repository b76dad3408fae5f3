"""The objects of the configured store that no catalog row records (ADR 0038).

The city lake's raw partitions (``raw/``), the collector's markers (``collect/``) and
whatever else was written straight to the store are not cataloged: a store move finds
them by listing home under its folder, journals each as a *listed* item with the sha256
the store recorded (or, lacking one, the sha256 of its bytes), and copies and checks it
like a cataloged object. No row points at a listed object: reads of it always go home,
so it is found at the destination once ``ENTREPOT_STORE_URL`` names the destination.

:func:`left_behind` is what ``--finalize`` refuses to abandon: every object still in home
once the migration is complete (cataloged ones outside its folder, listed ones not
copied).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from entrepot.catalog.relocation.journal_queue import Listed
from entrepot.catalog.relocation.records import MigrationRecord, Tally
from entrepot.relocation.parts import Context
from entrepot.storage.protocols import Get
from entrepot.storage.types import ObjectInfo

#: Keys looked up in the catalog per query.
BATCH = 500
#: How many folder levels name a prefix in the counts (``raw/api/``, ``collect/bikes/``).
DEPTH = 2


def prefix_of(key: str, depth: int = DEPTH) -> str:
    """The folder of ``key`` at most ``depth`` levels deep (``""``: the top level)."""
    parts = key.split("/")[:-1][:depth]
    return "".join(f"{p}/" for p in parts)


def by_prefix(entries: Iterable[tuple[str, int]]) -> dict[str, Tally]:
    """Objects and bytes per :func:`prefix_of` of ``(key, size)`` pairs."""
    found: dict[str, Tally] = {}
    for key, size in entries:
        folder = prefix_of(key)
        found[folder] = found.get(folder, Tally()) + Tally(1, size)
    return found


def uncataloged(ctx: Context, folder: str, *, hash_missing: bool = True) -> Iterator[Listed]:
    """Every object of home under ``folder`` that no catalog row records, in key order
    (``hash_missing=False``: without reading a sha256 the listing lacks)."""
    batch: list[ObjectInfo] = []
    for info in ctx.home.list(folder):
        batch.append(info)
        if len(batch) >= BATCH:
            yield from _unknown(ctx, batch, hash_missing=hash_missing)
            batch = []
    yield from _unknown(ctx, batch, hash_missing=hash_missing)


def journal_all(ctx: Context, migration: MigrationRecord, home_id: int) -> None:
    """Journal the uncataloged objects under the migration's folder not journaled yet."""
    batch: list[Listed] = []
    for entry in uncataloged(ctx, migration.prefix):
        batch.append(entry)
        if len(batch) >= BATCH:
            _enqueue(ctx, migration, batch, home_id)
            batch = []
    _enqueue(ctx, migration, batch, home_id)


@dataclass(frozen=True, slots=True)
class LeftBehind:
    """What would stay in home once a migration is finalized, per prefix."""

    #: Stored cataloged objects home still holds (outside the migration's folder).
    cataloged: Mapping[str, Tally] = field(default_factory=dict)
    #: Uncataloged objects the migration did not copy.
    uncataloged: Mapping[str, Tally] = field(default_factory=dict)

    @property
    def total(self) -> Tally:
        """Every object left behind."""
        return sum((*self.cataloged.values(), *self.uncataloged.values()), Tally())


def left_behind(ctx: Context, migration: MigrationRecord) -> LeftBehind:
    """What home still holds that the migration did not bring to its destination."""
    with ctx.unit() as uow:
        home_id = ctx.home_id(uow)
        cataloged = by_prefix(uow.journal.stored_at(home_id, home_id))
    pending: list[tuple[str, int]] = []
    batch: list[Listed] = []

    def flush() -> None:
        with ctx.unit() as uow:
            moved = uow.journal.moved_listed(migration.id, [e.key for e in batch])
        pending.extend((e.key, e.size) for e in batch if e.key not in moved)

    for entry in uncataloged(ctx, "", hash_missing=False):
        batch.append(entry)
        if len(batch) >= BATCH:
            flush()
            batch = []
    flush()
    return LeftBehind(cataloged, by_prefix(pending))


def _unknown(ctx: Context, infos: list[ObjectInfo], *, hash_missing: bool = True) -> list[Listed]:
    if not infos:
        return []
    with ctx.unit() as uow:
        known = uow.objects.keys_in(i.key for i in infos)
    return [
        Listed(i.key, (_sha256(ctx.home, i) if hash_missing else i.sha256) or "", i.size)
        for i in infos
        if i.key not in known
    ]


def _sha256(store: Get, info: ObjectInfo) -> str:
    """The sha256 the store recorded for the object, else that of its bytes."""
    if info.sha256:
        return info.sha256
    recorded = store.head(info.key).sha256
    if recorded:
        return recorded
    digest = hashlib.sha256()
    for chunk in store.iter_bytes(info.key):
        digest.update(chunk)
    return digest.hexdigest()


def _enqueue(ctx: Context, migration: MigrationRecord, batch: list[Listed], home_id: int) -> None:
    if batch:
        with ctx.unit() as uow:
            uow.journal.enqueue_listed(migration, batch, home_id=home_id, now=ctx.clock())
