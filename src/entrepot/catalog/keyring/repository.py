"""Reads and writes the key ring's rows in the unit of work's session."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from entrepot.catalog.columns import utc
from entrepot.catalog.keyring.tables import SigningKeyRow


@dataclass(frozen=True)
class WrappedKey:
    """One key as the catalog holds it: encrypted with the instance secret."""

    key_id: str
    wrapped: str
    created_at: datetime


class KeyRingRepository:
    """The ``signing_keys`` rows, oldest first."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def all(self) -> list[WrappedKey]:
        """Every key, oldest first (the last one signs)."""
        query = select(SigningKeyRow).order_by(SigningKeyRow.created_at, SigningKeyRow.key_id)
        return [
            WrappedKey(row.key_id, row.wrapped, utc(row.created_at))
            for row in self._session.scalars(query)
        ]

    def add(self, key: WrappedKey) -> None:
        """Add ``key`` (the caller commits)."""
        self._session.add(SigningKeyRow(**key.__dict__))

    def replace_all(self, keys: Iterable[WrappedKey]) -> None:
        """Replace every row by ``keys`` (a re-wrap; the caller commits)."""
        self._session.execute(delete(SigningKeyRow))
        self._session.flush()
        for key in keys:
            self.add(key)
