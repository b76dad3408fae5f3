"""The damage register: objects found damaged in the store (by ``entrepot verify`` or by a
read), so that ``/health`` can report them even while the cache serves a good copy.

Revision ID: 0010
Revises: 0008
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "object_damage",
        sa.Column(
            "object_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("problem", sa.String(32), nullable=False),
        sa.Column("expected", sa.String(128), nullable=False),
        sa.Column("found", sa.String(128), nullable=True),
        sa.Column("detected_by", sa.String(16), nullable=False),
        sa.Column("cached_copy", sa.Boolean(), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["object_id"],
            ["objects.id"],
            name="fk_object_damage_object_id_objects",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("object_id", name="pk_object_damage"),
    )


def downgrade() -> None:
    op.drop_table("object_damage")
