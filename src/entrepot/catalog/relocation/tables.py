"""The store-migration tables: which store holds an object, and the migration journal.

An object without an ``object_locations`` row is in the configured store
(``ENTREPOT_STORE_URL``); with one, in the store it names. ``store_migrations`` and
``store_migration_items`` journal a move of objects to another store (ADR 0005).
Registered on :class:`entrepot.catalog.base.Base` and created by migration ``0005``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CHAR,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from entrepot.catalog.base import Base
from entrepot.catalog.columns import IdType, KeyType
from entrepot.catalog.objects import tables as _objects  # noqa: F401 - foreign keys

#: Every state of a migration.
MIGRATION_STATES = ("running", "finalizing", "finalized", "rolled_back")
#: Every state of a journal item.
ITEM_STATES = ("pending", "repointed", "failed", "skipped", "rolled_back")


class StoreRow(Base):
    """A store the catalog has used, named by its credential-free URL."""

    __tablename__ = "stores"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    url: Mapped[str] = mapped_column(String(1024), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ObjectLocationRow(Base):
    """The store holding an object, when it is not the configured store."""

    __tablename__ = "object_locations"
    object_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("objects.id", ondelete="CASCADE"), primary_key=True
    )
    store_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("stores.id", ondelete="RESTRICT"), index=True
    )


class StoreMigrationRow(Base):
    """One move of the cataloged objects under ``prefix`` to the destination store.

    ``open_slot`` is 1 while the migration is open and ``NULL`` once closed: its unique
    constraint lets at most one migration be open. ``runner`` and ``heartbeat_at`` name the
    process working on it.
    """

    __tablename__ = "store_migrations"
    __table_args__ = (
        CheckConstraint(f"state IN {MIGRATION_STATES!r}", name="state"),
        CheckConstraint("open_slot IS NULL OR open_slot = 1", name="open_slot"),
    )
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    destination_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("stores.id", ondelete="RESTRICT"), index=True
    )
    prefix: Mapped[str] = mapped_column(KeyType)
    state: Mapped[str] = mapped_column(String(16))
    open_slot: Mapped[int | None] = mapped_column(Integer, unique=True)
    runner: Mapped[str | None] = mapped_column(String(200))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(128))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class StoreMigrationItemRow(Base):
    """One object of a migration: where it came from and how far it got.

    ``source_explicit`` records whether the object had a location row before (else it was
    in the configured store), so that a rollback restores the catalog exactly.
    ``object_id`` turns ``NULL`` if the object is deleted meanwhile; ``key`` stays, so
    that its copy can still be found. A *listed* item is an object of the configured store
    that no catalog row records (the city lake's raw partitions): found by listing the
    store, it has no ``object_id`` and no row to repoint (ADR 0038).
    """

    __tablename__ = "store_migration_items"
    __table_args__ = (
        UniqueConstraint("migration_id", "object_id", name="uq_store_migration_items_object"),
        CheckConstraint(f"state IN {ITEM_STATES!r}", name="state"),
        CheckConstraint("size >= 0", name="size"),
        Index("ix_store_migration_items_state", "migration_id", "state", "id"),
    )
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    migration_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("store_migrations.id", ondelete="CASCADE")
    )
    object_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("objects.id", ondelete="SET NULL"), index=True
    )
    key: Mapped[str] = mapped_column(KeyType)
    sha256: Mapped[str] = mapped_column(CHAR(64))
    size: Mapped[int] = mapped_column(BigInteger)
    source_id: Mapped[int] = mapped_column(IdType, ForeignKey("stores.id", ondelete="RESTRICT"))
    source_explicit: Mapped[bool] = mapped_column(Boolean)
    state: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    listed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
