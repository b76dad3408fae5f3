"""What every catalog table shares: the declarative base and its constraint naming
convention (the column types are in ``catalog/columns.py``).

Constraint names follow :data:`NAMING_CONVENTION` so that Alembic batch migrations on
SQLite can find them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase, Session

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
    from sqlalchemy.dialects.sqlite import Insert as SqliteInsert

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def upsert_insert(session: Session) -> Callable[..., PostgresInsert | SqliteInsert]:
    """The ``INSERT`` of the session's dialect, which has ``ON CONFLICT`` (PostgreSQL and
    SQLite); the dialect's module is loaded only here."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgres_insert

        return postgres_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


class Base(DeclarativeBase):
    """Base of every catalog table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
