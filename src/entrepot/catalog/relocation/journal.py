"""The migration journal: ``store_migrations``, one row per migration, its runner and its
state.

Every function works in the caller's session; the caller commits. What a migration
journals is in :mod:`~entrepot.catalog.relocation.journal_queue`, its items' progress in
:mod:`~entrepot.catalog.relocation.journal_items`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, exists, insert, select, update
from sqlalchemy.exc import IntegrityError as SqlIntegrityError
from sqlalchemy.orm import Session

from entrepot.catalog.columns import utc as as_utc
from entrepot.catalog.objects.tables import ObjectRow
from entrepot.catalog.relocation.records import (
    MigrationRecord,
    MigrationState,
    runner_alive,
)
from entrepot.catalog.relocation.tables import (
    ObjectLocationRow,
    StoreMigrationRow,
    StoreRow,
)
from entrepot.errors import RecordExists
from entrepot.messages import N_, Message

_M = StoreMigrationRow
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
        raise JournalBusy(
            "another migration was opened at the same time",
            said=Message(N_("error.catalog.migration_opened_meanwhile")),
        ) from None
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
    other = row.runner if row.runner != runner else None
    live = runner_alive(other, beat_at, now=now, stale_after=stale_after, is_gone=is_gone)
    if live and beat_at is not None:
        raise JournalBusy(
            f"migration {migration_id} is being worked on by {row.runner} (last heartbeat "
            f"{beat_at:%Y-%m-%d %H:%M:%S} UTC)",
            hint=f"wait for it to finish; a crashed runner is taken over after {stale_after}",
            said=Message(
                N_("error.catalog.migration_busy"),
                {
                    "migration": str(migration_id),
                    "runner": row.runner,
                    "beat": f"{beat_at:%Y-%m-%d %H:%M:%S}",
                    "after": str(stale_after),
                },
            ),
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
