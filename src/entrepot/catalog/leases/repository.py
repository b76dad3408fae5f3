"""The ``leases`` rows, in a unit of work's session: each change is one conditional
statement, so two processes racing for a lease on SQLite or PostgreSQL cannot both win."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError as SqlIntegrityError
from sqlalchemy.orm import Session

from entrepot.catalog.columns import utc
from entrepot.catalog.leases.tables import LeaseRow
from entrepot.errors import RecordExists
from entrepot.messages import N_, Message


@dataclass(frozen=True)
class LeaseRecord:
    """One held lease."""

    name: str
    holder: str
    taken_at: datetime
    beat_at: datetime


class LeaseRepository:
    """Take, beat and release leases."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def find(self, name: str) -> LeaseRecord | None:
        """The lease ``name``, or ``None`` when nobody holds it."""
        row = self._session.get(LeaseRow, name, populate_existing=True)
        if row is None:
            return None
        return LeaseRecord(row.name, row.holder, utc(row.taken_at), utc(row.beat_at))

    def take(self, name: str, holder: str, now: datetime, stale_before: datetime) -> bool:
        """Take ``name`` for ``holder``: when free, or when its holder's last beat is older
        than ``stale_before`` (a crashed holder). ``False`` when a live holder has it; a
        :class:`RecordExists` when another process took it in the same instant (the unit
        of work is then to be rolled back)."""
        taken = self._session.execute(
            update(LeaseRow)
            .where(LeaseRow.name == name, LeaseRow.beat_at < stale_before)
            .values(holder=holder, taken_at=now, beat_at=now)
        )
        if _rowcount(taken) == 1:
            return True
        if self._session.get(LeaseRow, name, populate_existing=True) is not None:
            return False
        self._session.add(LeaseRow(name=name, holder=holder, taken_at=now, beat_at=now))
        try:
            self._session.flush()
        except SqlIntegrityError:  # another process inserted it first
            raise RecordExists(
                f"the lease {name!r} was taken by another process",
                said=Message(N_("error.catalog.lease_taken"), {"name": name}),
            ) from None
        return True

    def beat(self, name: str, holder: str, now: datetime) -> bool:
        """Say ``holder`` still works on ``name``; ``False`` if the lease is no longer its."""
        beaten = self._session.execute(
            update(LeaseRow)
            .where(LeaseRow.name == name, LeaseRow.holder == holder)
            .values(beat_at=now)
        )
        return _rowcount(beaten) == 1

    def release(self, name: str, holder: str) -> None:
        """Give ``name`` back (nothing if another holder took it over meanwhile)."""
        self._session.execute(
            delete(LeaseRow).where(LeaseRow.name == name, LeaseRow.holder == holder)
        )


def _rowcount(result: Any) -> int:
    return int(result.rowcount)
