"""A migration's items (``store_migration_items``) as they progress: read in pages ordered
by id (a pass walks any number of objects in constant memory), marked, retried, skipped,
closed, and counted.

Every function works in the caller's session; the caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from entrepot.catalog.relocation.placement import store_urls
from entrepot.catalog.relocation.records import Item, ItemState, Tally
from entrepot.catalog.relocation.tables import StoreMigrationItemRow

_I = StoreMigrationItemRow


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
