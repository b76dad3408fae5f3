"""The catalog's column types (ids, object keys, JSON, name segments) and its time rule,
in SQLAlchemy Core only: the ORM tables use them, and so do the read paths that never load
the ORM (``catalog/listings.py``, ADR 0030)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Dialect, Integer, String
from sqlalchemy.types import TypeDecorator, TypeEngine

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

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        """``value``, refused if a text in it cannot be kept (JSON escapes a NUL as
        ``\\u0000``, which JSONB refuses): the same on both backends (ADR 0074)."""
        from entrepot.catalog.text import refuse_bad_text

        refuse_bad_text(value, what="a JSON document of the catalog")
        return value


#: Small JSON documents (metrics, params, schemas): JSONB on PostgreSQL, JSON text on SQLite.
JsonType = JsonDocument()


#: A model name, version or alias: one safe path segment (checked by the registry).
SegmentType = String(64)


def utc(value: datetime) -> datetime:
    """``value`` as an aware UTC time (SQLite keeps no offset; PostgreSQL answers in its zone)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
