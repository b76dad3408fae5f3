"""What a migration journals: the stored objects in its scope not at the destination, and
the listed objects no catalog row records, enqueued as ``pending`` items of
``store_migration_items``.

Every function works in the caller's session; the caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, exists, insert, select
from sqlalchemy.orm import Session

from entrepot.catalog.objects.records import ObjectState
from entrepot.catalog.objects.tables import ObjectRow
from entrepot.catalog.relocation.placement import folder_range, resolved_store
from entrepot.catalog.relocation.records import ItemState, MigrationRecord
from entrepot.catalog.relocation.tables import ObjectLocationRow, StoreMigrationItemRow

_I = StoreMigrationItemRow
_ITEMS = cast(Table, _I.__table__)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A stored object in scope that is not at the destination."""

    object_id: int
    key: str
    sha256: str
    size: int
    #: Its location row's store, ``None`` if it has none (it is home).
    explicit: int | None
    #: The store holding it.
    source_id: int


def candidates(
    session: Session,
    *,
    prefix: str,
    home_id: int,
    destination_id: int,
    after: str | None,
    limit: int,
    unjournaled_in: int | None = None,
) -> list[Candidate]:
    """The next ``limit`` stored objects under ``prefix`` (key order, after ``after``)
    that are not at the destination (and, given a migration id, not journaled in it)."""
    where = resolved_store(home_id)
    query = (
        select(
            ObjectRow.id,
            ObjectRow.key,
            ObjectRow.sha256,
            ObjectRow.size,
            ObjectLocationRow.store_id,
            where,
        )
        .outerjoin(ObjectLocationRow, ObjectLocationRow.object_id == ObjectRow.id)
        .where(
            *folder_range(prefix),
            ObjectRow.state == ObjectState.STORED.value,
            where != destination_id,
        )
        .order_by(ObjectRow.key)
        .limit(limit)
    )
    if after is not None:
        query = query.where(ObjectRow.key > after)
    if unjournaled_in is not None:
        query = query.where(
            ~exists().where(_I.migration_id == unjournaled_in, _I.object_id == ObjectRow.id)
        )
    return [
        Candidate(int(oid), str(key), str(sha), int(size), explicit, int(source))
        for oid, key, sha, size, explicit, source in session.execute(query)
    ]


def enqueue(
    session: Session,
    migration: MigrationRecord,
    *,
    home_id: int,
    destination_id: int,
    after: str | None,
    limit: int,
    now: datetime,
) -> str | None:
    """Journal the next ``limit`` candidates not journaled yet as ``pending`` items;
    returns the last key read, ``None`` once the scope is exhausted."""
    found = candidates(
        session,
        prefix=migration.prefix,
        home_id=home_id,
        destination_id=destination_id,
        after=after,
        limit=limit,
        unjournaled_in=migration.id,
    )
    if found:
        session.execute(
            insert(_ITEMS),  # Core: no ORM bookkeeping per row
            [
                {
                    "migration_id": migration.id,
                    "object_id": c.object_id,
                    "key": c.key,
                    "sha256": c.sha256,
                    "size": c.size,
                    "source_id": c.source_id,
                    "source_explicit": c.explicit is not None,
                    "state": ItemState.PENDING.value,
                    "updated_at": now,
                }
                for c in found
            ],
        )
    return found[-1].key if len(found) == limit else None


@dataclass(frozen=True, slots=True)
class Listed:
    """An object of the configured store that no catalog row records."""

    key: str
    sha256: str
    size: int


def enqueue_listed(
    session: Session,
    migration: MigrationRecord,
    found: Iterable[Listed],
    *,
    home_id: int,
    now: datetime,
) -> int:
    """Journal as ``pending`` listed items those of ``found`` the migration has not
    journaled yet; returns how many."""
    fresh = {entry.key: entry for entry in found}
    if fresh:
        known = session.scalars(
            select(_I.key).where(
                _I.migration_id == migration.id, _I.listed.is_(True), _I.key.in_(list(fresh))
            )
        )
        for key in known:
            fresh.pop(key, None)
    if fresh:
        session.execute(
            insert(_ITEMS),
            [
                {
                    "migration_id": migration.id,
                    "object_id": None,
                    "key": entry.key,
                    "sha256": entry.sha256,
                    "size": entry.size,
                    "source_id": home_id,
                    "source_explicit": False,
                    "listed": True,
                    "state": ItemState.PENDING.value,
                    "updated_at": now,
                }
                for entry in fresh.values()
            ],
        )
    return len(fresh)


def moved_listed(session: Session, migration_id: int, keys: Iterable[str]) -> set[str]:
    """Which of ``keys`` are listed items of the migration already at its destination."""
    wanted = list(keys)
    if not wanted:
        return set()
    return set(
        session.scalars(
            select(_I.key).where(
                _I.migration_id == migration_id,
                _I.listed.is_(True),
                _I.state == ItemState.REPOINTED.value,
                _I.key.in_(wanted),
            )
        )
    )
