"""Store migration: stores, object locations and the migration journal (ADR 0005).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MIGRATION_STATES = "('running', 'finalizing', 'finalized', 'rolled_back')"
_ITEM_STATES = "('pending', 'repointed', 'failed', 'skipped', 'rolled_back')"


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _key() -> sa.types.TypeEngine[str]:
    return sa.String(1024).with_variant(sa.String(1024, collation="C"), "postgresql")


def _when(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "stores",
        sa.Column("id", _id(), nullable=False),
        sa.Column("url", sa.String(1024), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name="pk_stores"),
        sa.UniqueConstraint("url", name="uq_stores_url"),
    )
    op.create_table(
        "object_locations",
        sa.Column("object_id", _id(), nullable=False),
        sa.Column("store_id", _id(), nullable=False),
        _fk("object_locations", "object_id", "objects", "CASCADE"),
        _fk("object_locations", "store_id", "stores", "RESTRICT"),
        sa.PrimaryKeyConstraint("object_id", name="pk_object_locations"),
    )
    op.create_index("ix_object_locations_store_id", "object_locations", ["store_id"])
    op.create_table(
        "store_migrations",
        sa.Column("id", _id(), nullable=False),
        sa.Column("destination_id", _id(), nullable=False),
        sa.Column("prefix", _key(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("open_slot", sa.Integer(), nullable=True),
        sa.Column("runner", sa.String(200), nullable=True),
        _when("heartbeat_at", nullable=True),
        _when("created_at"),
        sa.Column("created_by", sa.String(128), nullable=False),
        _when("closed_at", nullable=True),
        sa.CheckConstraint(f"state IN {_MIGRATION_STATES}", name="ck_store_migrations_state"),
        sa.CheckConstraint(
            "open_slot IS NULL OR open_slot = 1", name="ck_store_migrations_open_slot"
        ),
        _fk("store_migrations", "destination_id", "stores", "RESTRICT"),
        sa.PrimaryKeyConstraint("id", name="pk_store_migrations"),
        sa.UniqueConstraint("open_slot", name="uq_store_migrations_open_slot"),
    )
    op.create_index("ix_store_migrations_destination_id", "store_migrations", ["destination_id"])
    op.create_table(
        "store_migration_items",
        sa.Column("id", _id(), nullable=False),
        sa.Column("migration_id", _id(), nullable=False),
        sa.Column("object_id", _id(), nullable=True),
        sa.Column("key", _key(), nullable=False),
        sa.Column("sha256", sa.CHAR(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("source_id", _id(), nullable=False),
        sa.Column("source_explicit", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        _when("updated_at"),
        sa.CheckConstraint(f"state IN {_ITEM_STATES}", name="ck_store_migration_items_state"),
        sa.CheckConstraint("size >= 0", name="ck_store_migration_items_size"),
        _fk("store_migration_items", "migration_id", "store_migrations", "CASCADE"),
        _fk("store_migration_items", "object_id", "objects", "SET NULL"),
        _fk("store_migration_items", "source_id", "stores", "RESTRICT"),
        sa.PrimaryKeyConstraint("id", name="pk_store_migration_items"),
        sa.UniqueConstraint("migration_id", "object_id", name="uq_store_migration_items_object"),
    )
    op.create_index(
        "ix_store_migration_items_state", "store_migration_items", ["migration_id", "state", "id"]
    )
    op.create_index("ix_store_migration_items_object_id", "store_migration_items", ["object_id"])


def downgrade() -> None:
    op.drop_index("ix_store_migration_items_object_id", table_name="store_migration_items")
    op.drop_index("ix_store_migration_items_state", table_name="store_migration_items")
    op.drop_table("store_migration_items")
    op.drop_index("ix_store_migrations_destination_id", table_name="store_migrations")
    op.drop_table("store_migrations")
    op.drop_index("ix_object_locations_store_id", table_name="object_locations")
    op.drop_table("object_locations")
    op.drop_table("stores")
