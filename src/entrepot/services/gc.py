"""Garbage collection: remove objects no catalog row references, once old enough.

Only the given folder prefixes are scanned, so data placed by hand elsewhere is never
touched; only objects older than the grace period are taken, so a write whose row is
not committed yet is never removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from entrepot.catalog.objects.repository import KEYS_PER_QUERY
from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.storage.keys import normalize_prefix
from entrepot.storage.protocols import Delete, List, PendingUploads
from entrepot.storage.types import ObjectInfo, PendingUpload


class GcStore(List, Delete, Protocol):
    """What gc needs of a store: listing and deleting."""


@dataclass(frozen=True, slots=True)
class GcCandidate:
    """An object no catalog row references, older than the grace period."""

    key: str
    size: int
    modified: datetime


@dataclass(frozen=True, slots=True)
class GcReport:
    """What a gc run found and removed."""

    candidates: tuple[GcCandidate, ...]
    #: How many candidates were deleted (0 on a dry run).
    deleted: int
    #: Bytes freed (the listed size of the deleted candidates); on a dry run, the bytes a
    #: real run would free.
    bytes: int
    dry_run: bool


def collect_garbage(
    store: GcStore,
    uow_factory: UnitOfWorkFactory,
    *,
    prefixes: Sequence[str],
    grace: timedelta,
    dry_run: bool,
    now: datetime | None = None,
    batch_size: int = KEYS_PER_QUERY,
) -> GcReport:
    """Find, and unless ``dry_run`` delete, unreferenced objects under ``prefixes``.

    An object is garbage if no ``objects`` row has its key and it was modified at least
    ``grace`` before ``now`` (the current time by default). ``""`` means the whole store
    and must be given explicitly.
    """
    if grace < timedelta(0):
        raise ValueError(f"grace {grace} must not be negative")
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        raise ValueError("now must be timezone-aware (e.g. datetime.now(UTC))")
    if batch_size <= 0:
        raise ValueError("batch_size must be positive")
    folders = managed_folders(prefixes)
    if not folders:
        raise ValueError(
            "gc needs at least one managed prefix (ENTREPOT_MANAGED_PREFIXES); "
            "pass '' only if Entrepôt owns the whole store"
        )
    cutoff = now - grace
    candidates: list[GcCandidate] = []
    deleted = freed = 0
    for folder in folders:
        for batch in _batches(store.list(folder), batch_size):
            old = [info for info in batch if info.modified <= cutoff]
            if not old:
                continue
            with uow_factory() as uow:
                recorded = uow.objects.keys_in(info.key for info in old)
            garbage = [info for info in old if info.key not in recorded]
            candidates += [GcCandidate(i.key, i.size, i.modified) for i in garbage]
            freed += sum(info.size for info in garbage)
            if garbage and not dry_run:
                deleted += store.delete_many([info.key for info in garbage])
    return GcReport(candidates=tuple(candidates), deleted=deleted, bytes=freed, dry_run=dry_run)


@dataclass(frozen=True, slots=True)
class UploadsReport:
    """Incomplete multipart uploads found older than the grace, and how many were aborted."""

    found: tuple[PendingUpload, ...]
    aborted: int


def abort_stale_uploads(
    store: object,
    *,
    prefixes: Sequence[str],
    grace: timedelta,
    dry_run: bool,
    now: datetime | None = None,
) -> UploadsReport:
    """Find, and unless ``dry_run`` abort, the multipart uploads under ``prefixes`` begun at
    least ``grace`` ago and never completed (a writer killed mid-upload). A store that writes
    no parts (a local folder) has none."""
    if not isinstance(store, PendingUploads):
        return UploadsReport((), 0)
    cutoff = (now or datetime.now(UTC)) - grace
    found = [
        upload
        for folder in managed_folders(prefixes)
        for upload in store.pending_uploads(folder)
        if upload.initiated <= cutoff
    ]
    if not dry_run:
        for upload in found:
            store.abort_upload(upload)
    return UploadsReport(tuple(found), 0 if dry_run else len(found))


def managed_folders(prefixes: Iterable[str]) -> tuple[str, ...]:
    """Normalise ``prefixes`` to folders and drop those inside another one."""
    kept: list[str] = []
    for folder in sorted({normalize_prefix(prefix) for prefix in prefixes}):
        if not any(folder.startswith(outer) for outer in kept):
            kept.append(folder)
    return tuple(kept)


def _batches(items: Iterable[ObjectInfo], size: int) -> Iterator[list[ObjectInfo]]:
    batch: list[ObjectInfo] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
