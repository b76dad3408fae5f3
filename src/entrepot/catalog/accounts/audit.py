"""The admin audit log, in a unit of work's session."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from entrepot.catalog.accounts.records import AuditRecord, Page
from entrepot.catalog.accounts.tables import AuditRow
from entrepot.catalog.models.rows import utc
from entrepot.catalog.paging import check_page


class AuditRepository:
    """The append-only log of admin actions, sign-ups and sign-ins (done or failed)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        *,
        at: datetime,
        actor_id: int | None,
        actor: str,
        action: str,
        target: str,
        details: Mapping[str, Any] | None = None,
    ) -> AuditRecord:
        """Append one action."""
        row = AuditRow(
            at=at,
            actor_id=actor_id,
            actor=actor[:320],
            action=action[:64],
            target=target[:400],
            details=dict(details or {}),
        )
        self._session.add(row)
        self._session.flush()
        return _audit(row)

    def list(self, *, page: int = 1, per_page: int = 50) -> Page[AuditRecord]:
        """The log, newest first."""
        check_page(page, per_page)
        total = self._session.scalar(select(func.count()).select_from(AuditRow))
        rows = self._session.scalars(
            select(AuditRow)
            .order_by(AuditRow.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        return Page(tuple(_audit(r) for r in rows), int(total or 0), page, per_page)


def _audit(row: AuditRow) -> AuditRecord:
    return AuditRecord(
        id=row.id,
        at=utc(row.at),
        actor_id=row.actor_id,
        actor=row.actor,
        action=row.action,
        target=row.target,
        details=dict(row.details or {}),
    )
