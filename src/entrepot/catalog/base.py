"""What every catalog table shares: the declarative base, its constraint naming
convention and the column types (ids, object keys, JSON, name segments).

Constraint names follow :data:`NAMING_CONVENTION` so that Alembic batch migrations on
SQLite can find them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Dialect,
    Integer,
    MetaData,
    String,
)
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator, TypeEngine

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

#: Primary keys: BIGINT on PostgreSQL, INTEGER on SQLite (where only that aliases the rowid).
IdType = BigInteger().with_variant(Integer(), "sqlite")
#: Object keys compare byte by byte (the "C" collation on PostgreSQL; SQLite's default), so
#: ``ORDER BY key`` and prefix ranges agree with the stores' listing order.
KeyType = String(1024).with_variant(String(1024, collation="C"), "postgresql")


class JsonDocument(TypeDecorator[Any]):
    """JSON text on SQLite, JSONB on PostgreSQL; the PostgreSQL dialect (a tenth of a
    second to import) is loaded only by a PostgreSQL catalog."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())


#: Small JSON documents (metrics, params, schemas): JSONB on PostgreSQL, JSON text on SQLite.
JsonType = JsonDocument()


def upsert_insert(session: Session) -> Callable[..., PostgresInsert | SqliteInsert]:
    """The ``INSERT`` of the session's dialect, which has ``ON CONFLICT`` (PostgreSQL and
    SQLite); the dialect's module is loaded only here."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgres_insert

        return postgres_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


#: A model name, version or alias: one safe path segment (checked by the registry).
SegmentType = String(64)


class Base(DeclarativeBase):
    """Base of every catalog table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utc(value: datetime) -> datetime:
    """``value`` as an aware UTC time (SQLite keeps no offset; PostgreSQL answers in its zone)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
