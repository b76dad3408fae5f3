"""The city-flow app: run watermarks and the embedded metrics store.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "city_watermarks",
        sa.Column("id", _id(), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("inputs", _json(), nullable=False),
        sa.Column("inputs_digest", sa.CHAR(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("output_sha256", sa.CHAR(64), nullable=True),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("state IN ('ok', 'failed')", name="ck_city_watermarks_state"),
        sa.PrimaryKeyConstraint("id", name="pk_city_watermarks"),
        sa.UniqueConstraint("source", "day", name="uq_city_watermarks_day"),
    )
    op.create_index("ix_city_watermarks_day", "city_watermarks", ["day"])
    op.create_table(
        "city_metrics",
        sa.Column("id", _id(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("document", _json(), nullable=False),
        sa.Column("sha256", sa.CHAR(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_city_metrics"),
        sa.UniqueConstraint("kind", "day", name="uq_city_metrics_document"),
    )
    op.create_index("ix_city_metrics_day", "city_metrics", ["day"])


def downgrade() -> None:
    op.drop_index("ix_city_metrics_day", table_name="city_metrics")
    op.drop_table("city_metrics")
    op.drop_index("ix_city_watermarks_day", table_name="city_watermarks")
    op.drop_table("city_watermarks")
