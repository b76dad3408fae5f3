"""What every catalog table shares: the declarative base, its constraint naming
convention and the column types (ids, object keys, JSON, name segments).

Constraint names follow :data:`NAMING_CONVENTION` so that Alembic batch migrations on
SQLite can find them.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Integer,
    MetaData,
    String,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase

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
#: Small JSON documents (metrics, params, schemas): JSONB on PostgreSQL, JSON text on SQLite.
JsonType = JSON().with_variant(JSONB(), "postgresql")
#: A model name, version or alias: one safe path segment (checked by the registry).
SegmentType = String(64)


class Base(DeclarativeBase):
    """Base of every catalog table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
