"""The migration journal: ``store_migrations`` and ``store_migration_items``.

Every function works in the caller's session; the caller commits. Items are read in
pages ordered by id, so a pass walks any number of objects in constant memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError as SqlIntegrityError
from sqlalchemy.orm import Session

from entrepot.catalog.columns import utc as as_utc
from entrepot.catalog.objects.records import ObjectState
from entrepot.catalog.objects.tables import ObjectRow
from entrepot.catalog.relocation.placement import folder_range, resolved_store, store_urls
from entrepot.catalog.relocation.records import (
    Item,
    ItemState,
    MigrationRecord,
    MigrationState,
    Tally,
)
from entrepot.catalog.relocation.tables import (
    ObjectLocationRow,
    StoreMigrationItemRow,
    StoreMigrationRow,
    StoreRow,
)
from entrepot.errors import RecordExists

_M = StoreMigrationRow
_I = StoreMigrationItemRow
_ITEMS = cast(Table, _I.__table__)
_LOCATIONS = cast(Table, ObjectLocationRow.__table__)


class JournalBusy(RecordExists):
    """Another migration is open, or another live runner holds this one (the store-move
    service turns it into its own ``MigrationOpen``)."""


def utc(moment: datetime | None) -> datetime | None:
    """``moment`` as an aware UTC datetime (SQLite keeps no offset)."""
    return None if moment is None else as_utc(moment)


def open_migration(session: Session) -> MigrationRecord | None:
    """The open migration, if any."""
    row = session.scalars(select(_M).where(_M.open_slot == 1)).first()
    return None if row is None else _migration(session, row)


def last_migration(session: Session) -> MigrationRecord | None:
    """The migration created last, open or not."""
    row = session.scalars(select(_M).order_by(_M.id.desc()).limit(1)).first()
    return None if row is None else _migration(session, row)


def create(
    session: Session, *, destination_id: int, prefix: str, actor: str, now: datetime
) -> MigrationRecord:
    """Open a migration; raises :class:`JournalBusy` if one is open already."""
    row = StoreMigrationRow(
        destination_id=destination_id,
        prefix=prefix,
        state=MigrationState.RUNNING.value,
        open_slot=1,
        created_at=now,
        created_by=actor,
    )
    session.add(row)
    try:
        session.flush()
    except SqlIntegrityError:
        raise JournalBusy("another migration was opened at the same time") from None
    return _migration(session, row)


def claim(
    session: Session,
    migration_id: int,
    *,
    runner: str,
    now: datetime,
    stale_after: timedelta,
    is_gone: Callable[[str], bool],
) -> None:
    """Make ``runner`` the one process working on the migration; raises
    :class:`JournalBusy` while another live runner holds it. A runner is taken over once
    its heartbeat is older than ``stale_after``, or when ``is_gone(runner)`` says its
    process has ended."""
    row = session.get_one(_M, migration_id, with_for_update=True)
    beat_at = utc(row.heartbeat_at)
    held = row.runner is not None and row.runner != runner
    fresh = beat_at is not None and beat_at > now - stale_after
    if held and fresh and beat_at is not None and not is_gone(row.runner or ""):
        raise JournalBusy(
            f"migration {migration_id} is being worked on by {row.runner} (last heartbeat "
            f"{beat_at:%Y-%m-%d %H:%M:%S} UTC)",
            hint=f"wait for it to finish; a crashed runner is taken over after {stale_after}",
        )
    row.runner, row.heartbeat_at = runner, now
    session.flush()


def beat(session: Session, migration_id: int, runner: str, now: datetime) -> None:
    """Record that ``runner`` is still working."""
    session.execute(
        update(_M).where(_M.id == migration_id, _M.runner == runner).values(heartbeat_at=now)
    )


def release(session: Session, migration_id: int, runner: str) -> None:
    """``runner`` stops working on the migration."""
    session.execute(
        update(_M)
        .where(_M.id == migration_id, _M.runner == runner)
        .values(runner=None, heartbeat_at=None)
    )


def set_state(session: Session, migration_id: int, state: MigrationState, now: datetime) -> None:
    """Move the migration to ``state``; a closed one frees the open slot."""
    closed = state in (MigrationState.FINALIZED, MigrationState.ROLLED_BACK)
    values: dict[str, object] = {"state": state.value}
    if closed:
        values.update(open_slot=None, closed_at=now, runner=None, heartbeat_at=None)
    session.execute(update(_M).where(_M.id == migration_id).values(**values))


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


def retry_failed(session: Session, migration_id: int, now: datetime) -> int:
    """Queue the failed items again; returns how many."""
    result = session.execute(
        update(_I)
        .where(_I.migration_id == migration_id, _I.state == ItemState.FAILED.value)
        .values(state=ItemState.PENDING.value, error=None, updated_at=now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def skip_deleted(session: Session, migration_id: int, now: datetime) -> int:
    """Mark ``skipped`` the unfinished items whose object was deleted; returns how many."""
    result = session.execute(
        update(_I)
        .where(
            _I.migration_id == migration_id,
            _I.object_id.is_(None),
            _I.listed.is_(False),
            _I.state.in_([ItemState.PENDING.value, ItemState.FAILED.value]),
        )
        .values(
            state=ItemState.SKIPPED.value,
            error="the object was deleted during the migration",
            updated_at=now,
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def page(
    session: Session, migration_id: int, state: ItemState, *, after: int, limit: int
) -> list[Item]:
    """The next ``limit`` items in ``state`` with an id above ``after``."""
    rows = session.execute(
        select(
            _I.id,
            _I.object_id,
            _I.key,
            _I.sha256,
            _I.size,
            _I.source_id,
            _I.source_explicit,
            _I.state,
            _I.error,
            _I.listed,
        )
        .where(_I.migration_id == migration_id, _I.state == state.value, _I.id > after)
        .order_by(_I.id)
        .limit(limit)
    ).all()
    urls = store_urls(session, (row.source_id for row in rows))
    return [
        Item(
            id=row.id,
            object_id=row.object_id,
            key=row.key,
            sha256=row.sha256,
            size=row.size,
            source_id=row.source_id,
            source=urls[row.source_id],
            source_explicit=bool(row.source_explicit),
            state=ItemState(row.state),
            error=row.error,
            listed=bool(row.listed),
        )
        for row in rows
    ]


def mark(
    session: Session,
    item_ids: Iterable[int],
    state: ItemState,
    now: datetime,
    error: str | None = None,
) -> None:
    """Move these items to ``state`` (with the reason, for failures)."""
    ids = list(item_ids)
    for start in range(0, len(ids), 500):
        session.execute(
            update(_I)
            .where(_I.id.in_(ids[start : start + 500]))
            .values(state=state.value, error=error, updated_at=now)
        )


def tally(session: Session, migration_id: int) -> dict[ItemState, Tally]:
    """Objects and bytes per item state."""
    query = (
        select(_I.state, func.count(), func.coalesce(func.sum(_I.size), 0))
        .where(_I.migration_id == migration_id)
        .group_by(_I.state)
    )
    return {ItemState(s): Tally(int(n), int(b)) for s, n, b in session.execute(query)}


def errors(session: Session, migration_id: int, limit: int = 20) -> list[tuple[str, str]]:
    """``(key, reason)`` of failed items, at most ``limit``."""
    rows = session.execute(
        select(_I.key, _I.error)
        .where(_I.migration_id == migration_id, _I.state == ItemState.FAILED.value)
        .order_by(_I.id)
        .limit(limit)
    )
    return [(str(k), str(e or "")) for k, e in rows]


def store_of(session: Session, migration_id: int) -> int:
    """The destination store id of a migration."""
    return int(session.scalars(select(_M.destination_id).where(_M.id == migration_id)).one())


def _migration(session: Session, row: StoreMigrationRow) -> MigrationRecord:
    url = session.scalars(select(StoreRow.url).where(StoreRow.id == row.destination_id)).one()
    created = utc(row.created_at)
    assert created is not None
    return MigrationRecord(
        id=row.id,
        destination=str(url),
        prefix=row.prefix,
        state=MigrationState(row.state),
        runner=row.runner,
        heartbeat_at=utc(row.heartbeat_at),
        created_at=created,
        created_by=row.created_by,
        closed_at=utc(row.closed_at),
    )


def pin_at_home(session: Session, home_id: int) -> int:
    """Give every object row that has no location row (quarantined objects, which never
    move, and those a forced finalize leaves behind) one naming home, so that they keep
    pointing where their bytes are once the configured store changes; returns how many."""
    ids = session.scalars(
        select(ObjectRow.id).where(~exists().where(ObjectLocationRow.object_id == ObjectRow.id))
    ).all()
    if ids:
        session.execute(
            insert(_LOCATIONS),
            [{"object_id": i, "store_id": home_id} for i in ids],
        )
    return len(ids)


def close_unfinished(session: Session, migration_id: int, now: datetime) -> int:
    """Mark ``rolled_back`` the items a rollback leaves as they are (pending or failed:
    their rows never moved); returns how many."""
    result = session.execute(
        update(_I)
        .where(
            _I.migration_id == migration_id,
            _I.state.in_([ItemState.PENDING.value, ItemState.FAILED.value]),
        )
        .values(state=ItemState.ROLLED_BACK.value, updated_at=now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
