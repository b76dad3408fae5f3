"""Signed-in sessions, in a unit of work's session: opened at sign-in, ended at sign-out,
by a password change or when they expire. Only the sha256 of a session's secret is kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from entrepot.catalog.accounts.tables import UserSessionRow


class UserSessionRepository:
    """Reads and writes ``user_sessions`` rows."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def open(self, user_id: int, secret_hash: str, now: datetime, expires_at: datetime) -> None:
        """Record a new session of ``user_id``."""
        self._session.add(
            UserSessionRow(
                user_id=user_id, secret_hash=secret_hash, created_at=now, expires_at=expires_at
            )
        )
        self._session.flush()

    def user_of(self, secret_hash: str, now: datetime) -> int | None:
        """The user of a live session (not ended, not expired), or ``None``."""
        return self._session.scalars(
            select(UserSessionRow.user_id).where(
                UserSessionRow.secret_hash == secret_hash,
                UserSessionRow.ended_at.is_(None),
                UserSessionRow.expires_at > now,
            )
        ).first()

    def end(self, secret_hash: str, now: datetime) -> bool:
        """End one session; whether it was live."""
        result = self._session.execute(
            update(UserSessionRow)
            .where(UserSessionRow.secret_hash == secret_hash, UserSessionRow.ended_at.is_(None))
            .values(ended_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def end_all(self, user_id: int, now: datetime) -> int:
        """End every live session of ``user_id``; returns how many."""
        result = self._session.execute(
            update(UserSessionRow)
            .where(UserSessionRow.user_id == user_id, UserSessionRow.ended_at.is_(None))
            .values(ended_at=now)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def prune(self, before: datetime) -> int:
        """Forget sessions that expired before ``before``; returns how many."""
        result = self._session.execute(
            delete(UserSessionRow).where(UserSessionRow.expires_at < before)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
