"""Licence keys: created, activated by a user, extended, switched on and off."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.exc import IntegrityError as SqlIntegrityError
from sqlalchemy.orm import Session

from entrepot.catalog.accounts.records import LicenceRecord, Page
from entrepot.catalog.accounts.tables import LicenceRow
from entrepot.catalog.models.rows import utc
from entrepot.catalog.paging import check_page
from entrepot.errors import RecordExists, RecordNotFound
from entrepot.messages import N_, Message


def _opt(value: datetime | None) -> datetime | None:
    return None if value is None else utc(value)


def _record(row: LicenceRow) -> LicenceRecord:
    return LicenceRecord(
        id=row.id,
        key=row.key,
        plan=row.plan,
        duration_days=row.duration_days,
        user_id=row.user_id,
        enabled=row.enabled,
        created_at=utc(row.created_at),
        created_by=row.created_by,
        activated_at=_opt(row.activated_at),
        expires_at=_opt(row.expires_at),
    )


class LicenceRepository:
    """Reads and writes ``licences`` rows."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        *,
        key: str,
        plan: str,
        duration_days: int,
        created_by: str,
        now: datetime,
        user_id: int | None = None,
    ) -> LicenceRecord:
        """Record a new key; given ``user_id`` it is activated for that user at once."""
        row = LicenceRow(
            key=key,
            plan=plan,
            duration_days=duration_days,
            user_id=user_id,
            enabled=True,
            created_at=now,
            created_by=created_by,
            activated_at=now if user_id is not None else None,
            expires_at=now + timedelta(days=duration_days) if user_id is not None else None,
        )
        self._session.add(row)
        try:
            self._session.flush()
        except SqlIntegrityError:
            raise RecordExists(
                f"licence key {key} already exists",
                said=Message(N_("error.catalog.licence_key_exists"), {"key": key}),
            ) from None
        return _record(row)

    def by_key(self, key: str) -> LicenceRecord | None:
        """The licence with ``key``, or ``None``."""
        row = self._session.scalars(select(LicenceRow).where(LicenceRow.key == key)).first()
        return None if row is None else _record(row)

    def get(self, licence_id: int) -> LicenceRecord:
        """Licence ``licence_id``; raises :class:`RecordNotFound`."""
        return _record(self._row(licence_id))

    def current(self, user_id: int) -> LicenceRecord | None:
        """The user's licence that decides their limits: the last activated one that is
        enabled (expired or not), else ``None``."""
        row = self._session.scalars(
            select(LicenceRow)
            .where(LicenceRow.user_id == user_id, LicenceRow.enabled.is_(True))
            .order_by(LicenceRow.activated_at.desc(), LicenceRow.id.desc())
            .limit(1)
        ).first()
        return None if row is None else _record(row)

    def of_user(self, user_id: int) -> tuple[LicenceRecord, ...]:
        """Every licence ``user_id`` activated, newest first."""
        rows = self._session.scalars(
            select(LicenceRow).where(LicenceRow.user_id == user_id).order_by(LicenceRow.id.desc())
        )
        return tuple(_record(r) for r in rows)

    def activate(self, licence_id: int, user_id: int, now: datetime) -> LicenceRecord:
        """Give the unused licence to ``user_id``, starting ``now``; raises
        :class:`RecordExists` if it was already activated (by anyone, even concurrently)."""
        row = self._row(licence_id)
        claimed = self._session.execute(
            update(LicenceRow)
            .where(LicenceRow.id == licence_id, LicenceRow.user_id.is_(None))
            .values(
                user_id=user_id,
                activated_at=now,
                expires_at=now + timedelta(days=row.duration_days),
            )
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            raise RecordExists(
                f"licence {row.key} is already activated",
                said=Message(N_("error.catalog.licence_activated"), {"key": row.key}),
            )
        self._session.refresh(row)
        return _record(row)

    def extend(self, licence_id: int, days: int, now: datetime) -> LicenceRecord:
        """Add ``days`` to the licence: to its end, or to ``now`` if it already ended (an
        unused key gets a longer duration instead)."""
        row = self._row(licence_id)
        if row.expires_at is None:
            row.duration_days += days
        else:
            start = max(utc(row.expires_at), now)
            row.expires_at = start + timedelta(days=days)
        self._session.flush()
        return _record(row)

    def set_enabled(self, licence_id: int, enabled: bool) -> LicenceRecord:
        """Switch the licence on or off."""
        row = self._row(licence_id)
        row.enabled = enabled
        self._session.flush()
        return _record(row)

    def search(
        self,
        *,
        query: str = "",
        plan: str | None = None,
        used: bool | None = None,
        page: int = 1,
        per_page: int = 25,
    ) -> Page[LicenceRecord]:
        """Licences whose key contains ``query``, filtered, newest first."""
        check_page(page, per_page)
        conditions: list[ColumnElement[bool]] = []
        if query:
            conditions.append(func.upper(LicenceRow.key).contains(query.upper(), autoescape=True))
        if plan is not None:
            conditions.append(LicenceRow.plan == plan)
        if used is not None:
            column = LicenceRow.user_id
            conditions.append(column.is_not(None) if used else column.is_(None))
        total = self._session.scalar(
            select(func.count()).select_from(LicenceRow).where(*conditions)
        )
        rows = self._session.scalars(
            select(LicenceRow)
            .where(*conditions)
            .order_by(LicenceRow.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        return Page(tuple(_record(r) for r in rows), int(total or 0), page, per_page)

    def count_by_plan(self, now: datetime) -> dict[str, int]:
        """How many licences are in force, per plan."""
        rows = self._session.execute(
            select(LicenceRow.plan, func.count())
            .where(LicenceRow.enabled.is_(True), LicenceRow.expires_at > now)
            .group_by(LicenceRow.plan)
        )
        return {str(plan): int(count) for plan, count in rows}

    def _row(self, licence_id: int) -> LicenceRow:
        row = self._session.get(LicenceRow, licence_id)
        if row is None:
            raise RecordNotFound(
                f"no licence {licence_id}",
                said=Message(N_("error.catalog.no_licence"), {"licence": str(licence_id)}),
            )
        return row
