"""The resume marker of ``entrepot db copy``: ``catalog_copies``.

One row per copy of another catalog into this database: the source (password masked), the
revision both were at, how far it got per table, and whether it finished.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "catalog_copies",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("source", sa.String(1024), nullable=False),
        sa.Column("revision", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("progress", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False),
        sa.Column("rows_copied", sa.BigInteger(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('copying', 'done')", name="ck_catalog_copies_state"),
        sa.PrimaryKeyConstraint("id", name="pk_catalog_copies"),
    )


def downgrade() -> None:
    op.drop_table("catalog_copies")
