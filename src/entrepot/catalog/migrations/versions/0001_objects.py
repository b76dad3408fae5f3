"""The objects table: every object the catalog vouches for.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "objects",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "key",
            sa.String(1024).with_variant(sa.String(1024, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("sha256", sa.CHAR(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("owner", sa.String(128), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.CheckConstraint("state IN ('stored', 'quarantined')", name="ck_objects_state"),
        sa.CheckConstraint("size >= 0", name="ck_objects_size"),
        sa.PrimaryKeyConstraint("id", name="pk_objects"),
        sa.UniqueConstraint("key", name="uq_objects_key"),
    )
    op.create_index("ix_objects_owner", "objects", ["owner"])
    op.create_index("ix_objects_kind", "objects", ["kind"])


def downgrade() -> None:
    op.drop_index("ix_objects_kind", table_name="objects")
    op.drop_index("ix_objects_owner", table_name="objects")
    op.drop_table("objects")
