"""The damage register: objects found damaged in the store, by ``entrepot verify`` or by a
read, until a later check finds them intact (or they are repaired or deleted).

One row per object (the latest finding). ``/health`` counts them for administrators, so a
store object that rots while the cache still serves a good copy does not go unnoticed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from entrepot.catalog.columns import utc
from entrepot.catalog.objects.repository import folder_filters
from entrepot.catalog.objects.tables import DamageRow, ObjectRow


@dataclass(frozen=True, slots=True)
class Damage:
    """One damaged object, as last found."""

    key: str
    #: What is wrong (``missing``, ``size-mismatch``, ``content-mismatch``…).
    problem: str
    #: What the catalog recorded (a size or a sha256).
    expected: str
    #: What the store had, ``None`` when the object is missing.
    found: str | None
    #: ``verify`` or ``read``.
    detected_by: str
    #: Whether the cache held a verified copy of the recorded bytes when it was found.
    cached_copy: bool
    detected_at: datetime


@dataclass(frozen=True, slots=True)
class DamageSummary:
    """How many damaged objects are registered, and how many of them the cache can still
    serve (and ``entrepot verify --repair`` restore)."""

    objects: int
    with_cached_copy: int
    #: When the most recent finding was made, ``None`` if there is none.
    latest: datetime | None


class DamageRepository:
    """Reads and writes the damage register in the session of a unit of work."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def record(
        self,
        key: str,
        *,
        problem: str,
        expected: str,
        found: str | None,
        detected_by: str,
        cached_copy: bool = False,
        at: datetime | None = None,
    ) -> bool:
        """Register (or update) the damage of the object under ``key``; ``False`` when the
        catalog records no such key (there is nothing to attach the finding to)."""
        object_id = self._session.scalar(select(ObjectRow.id).where(ObjectRow.key == key))
        if object_id is None:
            return False
        row = self._session.get(DamageRow, object_id)
        if row is None:
            row = DamageRow(object_id=object_id)
            self._session.add(row)
        row.problem = problem
        row.expected = expected[:128]
        row.found = None if found is None else found[:128]
        row.detected_by = detected_by
        row.cached_copy = cached_copy
        row.detected_at = at or datetime.now(UTC)
        self._session.flush()
        return True

    def clear(self, keys: Iterable[str]) -> int:
        """Forget the damage of ``keys`` (found intact, repaired); returns how many rows went."""
        wanted = list(keys)
        if not wanted:
            return 0
        ids = select(ObjectRow.id).where(ObjectRow.key.in_(wanted))
        result = self._session.execute(delete(DamageRow).where(DamageRow.object_id.in_(ids)))
        return int(getattr(result, "rowcount", 0) or 0)

    def clear_under(self, prefix: str | None) -> int:
        """Forget every finding under the folder ``prefix`` (all of them for ``None``), before
        a full check records what it finds now."""
        ids = select(ObjectRow.id).where(*folder_filters(prefix))
        result = self._session.execute(delete(DamageRow).where(DamageRow.object_id.in_(ids)))
        return int(getattr(result, "rowcount", 0) or 0)

    def list(self, *, limit: int = 100) -> tuple[Damage, ...]:
        """The registered damage, most recent first."""
        query = (
            select(DamageRow, ObjectRow.key)
            .join(ObjectRow, ObjectRow.id == DamageRow.object_id)
            .order_by(DamageRow.detected_at.desc(), ObjectRow.key)
            .limit(limit)
        )
        return tuple(_damage(row, key) for row, key in self._session.execute(query))

    def summary(self) -> DamageSummary:
        """The counts ``/health`` reports."""
        count, copies, latest = self._session.execute(
            select(
                func.count(DamageRow.object_id),
                func.count(DamageRow.object_id).filter(DamageRow.cached_copy.is_(True)),
                func.max(DamageRow.detected_at),
            )
        ).one()
        return DamageSummary(int(count or 0), int(copies or 0), latest and utc(latest))


def _damage(row: DamageRow, key: str) -> Damage:
    return Damage(
        key=key,
        problem=row.problem,
        expected=row.expected,
        found=row.found,
        detected_by=row.detected_by,
        cached_copy=bool(row.cached_copy),
        detected_at=utc(row.detected_at),
    )
