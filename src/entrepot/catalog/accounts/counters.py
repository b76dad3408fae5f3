"""Rate counters: attempts per scope over a fixed window, counted atomically.

One row per scope. :meth:`RateCounterRepository.take` counts an attempt with a single
``UPDATE ... WHERE count < limit`` (a row lock on PostgreSQL, the write lock on SQLite), so
that parallel attempts can never count past the limit: each either takes a place or is
refused. A window that has passed starts again from the attempt that finds it so.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import case, delete, select, update
from sqlalchemy.orm import Session

from entrepot.catalog.accounts.tables import RateCounterRow
from entrepot.catalog.base import upsert_insert
from entrepot.catalog.models.rows import utc


def scope_key(scope: str) -> str:
    """The row key of a scope's name (its sha256: any email or address fits)."""
    return hashlib.sha256(scope.encode("utf-8", "surrogatepass")).hexdigest()


class RateCounterRepository:
    """Reads and writes ``rate_counters`` rows."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def take(self, scope: str, *, limit: int, since: datetime, now: datetime) -> datetime | None:
        """Count one attempt in ``scope`` unless ``limit`` attempts were counted since the
        window began (windows that began at or before ``since`` have passed). Returns ``None``
        when counted, else when the full window began."""
        key = scope_key(scope)
        self._ensure(key, now)
        column = RateCounterRow
        passed = column.started_at <= since
        counted = self._session.execute(
            update(column)
            .where(column.scope == key, passed | (column.count < limit))
            .values(
                count=case((passed, 1), else_=column.count + 1),
                started_at=case((passed, now), else_=column.started_at),
            )
        )
        if counted.rowcount == 1:  # type: ignore[attr-defined]
            return None
        started = self._session.scalar(select(column.started_at).where(column.scope == key))
        return utc(started) if started is not None else now

    def fill(self, scope: str, count: int, *, since: datetime, now: datetime) -> None:
        """Raise ``scope``'s count to ``count`` (a lock), in its current window (one that
        began before ``since`` has passed: a new one begins ``now``)."""
        key = scope_key(scope)
        self._ensure(key, now)
        column = RateCounterRow
        passed = column.started_at <= since
        self._session.execute(
            update(column)
            .where(column.scope == key)
            .values(count=count, started_at=case((passed, now), else_=column.started_at))
        )

    def give_back(self, scope: str) -> None:
        """Uncount one attempt of ``scope`` (one that turned out to be allowed)."""
        column = RateCounterRow
        self._session.execute(
            update(column)
            .where(column.scope == scope_key(scope), column.count > 0)
            .values(count=column.count - 1)
        )

    def clear(self, scope: str) -> None:
        """Forget the attempts of ``scope``."""
        self._session.execute(
            delete(RateCounterRow).where(RateCounterRow.scope == scope_key(scope))
        )

    def count(self, scope: str, since: datetime) -> int:
        """The attempts of ``scope`` in a window that has not passed."""
        column = RateCounterRow
        found = self._session.scalar(
            select(column.count).where(column.scope == scope_key(scope), column.started_at > since)
        )
        return int(found or 0)

    def prune(self, before: datetime) -> int:
        """Forget windows that began before ``before``; returns how many."""
        result = self._session.execute(
            delete(RateCounterRow).where(RateCounterRow.started_at < before)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def _ensure(self, key: str, now: datetime) -> None:
        """The scope's row exists (created empty, or left as it is)."""
        insert = upsert_insert(self._session)
        self._session.execute(
            insert(RateCounterRow)
            .values(scope=key, started_at=now, count=0)
            .on_conflict_do_nothing(index_elements=["scope"])
        )
