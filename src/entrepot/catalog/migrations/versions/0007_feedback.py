"""The analyst's decisions: ``feedback`` (a label per scored row of a prediction) and
``model_thresholds`` (a threshold saved for a model version).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("owner_id", _id(), nullable=False),
        sa.Column("prediction_id", sa.String(32), nullable=False),
        sa.Column("model_name", sa.String(64), nullable=True),
        sa.Column("row", sa.BigInteger(), nullable=False),
        sa.Column("label", sa.SmallInteger(), nullable=False),
        sa.Column("decided_by", sa.String(320), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name="fk_feedback_owner_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["prediction_id"],
            ["predictions.id"],
            name="fk_feedback_prediction_id_predictions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_feedback"),
        sa.UniqueConstraint("prediction_id", "row", name="uq_feedback_prediction_id"),
    )
    op.create_index("ix_feedback_owner", "feedback", ["owner_id", "model_name"])
    op.create_table(
        "model_thresholds",
        sa.Column("model_version_id", _id(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("set_by", sa.String(320), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_version_id"],
            ["model_versions.id"],
            name="fk_model_thresholds_model_version_id_model_versions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("model_version_id", name="pk_model_thresholds"),
    )


def downgrade() -> None:
    op.drop_table("model_thresholds")
    op.drop_index("ix_feedback_owner", table_name="feedback")
    op.drop_table("feedback")
