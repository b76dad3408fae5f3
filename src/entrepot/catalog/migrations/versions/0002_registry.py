"""The model registry: versions, their files, aliases and reference models.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "model_versions",
        sa.Column("id", _id(), nullable=False),
        sa.Column("namespace", sa.String(128), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("flavor", sa.String(32), nullable=False),
        sa.Column("manifest_id", _id(), nullable=True),
        sa.Column("manifest_sha256", sa.CHAR(64), nullable=True),
        sa.Column("signature", sa.CHAR(64), nullable=True),
        sa.Column("metrics", _json(), nullable=False),
        sa.Column("params", _json(), nullable=False),
        sa.Column("tags", _json(), nullable=False),
        sa.Column("lineage", _json(), nullable=False),
        sa.Column("input_schema", _json(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'ready', 'failed')", name="ck_model_versions_state"
        ),
        sa.ForeignKeyConstraint(
            ["manifest_id"],
            ["objects.id"],
            name="fk_model_versions_manifest_id_objects",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_model_versions"),
        sa.UniqueConstraint("manifest_id", name="uq_model_versions_manifest_id"),
        sa.UniqueConstraint("namespace", "name", "version", name="uq_model_versions_version"),
    )
    op.create_index(
        "ix_model_versions_order", "model_versions", ["namespace", "name", "state", "id"]
    )
    op.create_table(
        "model_files",
        sa.Column("id", _id(), nullable=False),
        sa.Column("version_id", _id(), nullable=False),
        sa.Column("path", sa.String(512), nullable=False),
        sa.Column("object_id", _id(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.CHAR(64), nullable=False),
        sa.CheckConstraint("size >= 0", name="ck_model_files_size"),
        sa.ForeignKeyConstraint(
            ["object_id"],
            ["objects.id"],
            name="fk_model_files_object_id_objects",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["model_versions.id"],
            name="fk_model_files_version_id_model_versions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_model_files"),
        sa.UniqueConstraint("object_id", name="uq_model_files_object_id"),
        sa.UniqueConstraint("version_id", "path", name="uq_model_files_path"),
    )
    op.create_table(
        "model_aliases",
        sa.Column("id", _id(), nullable=False),
        sa.Column("namespace", sa.String(128), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("alias", sa.String(64), nullable=False),
        sa.Column("version_id", _id(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(128), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["model_versions.id"],
            name="fk_model_aliases_version_id_model_versions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_model_aliases"),
        sa.UniqueConstraint("namespace", "name", "alias", name="uq_model_aliases_alias"),
    )
    op.create_index("ix_model_aliases_version_id", "model_aliases", ["version_id"])
    op.create_table(
        "reference_models",
        sa.Column("id", _id(), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("domain", sa.String(64), nullable=False),
        sa.Column("input_schema", _json(), nullable=False),
        sa.Column("metrics", _json(), nullable=False),
        sa.Column("version_id", _id(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("usage_count", sa.Integer(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mean_match_score", sa.Float(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.CheckConstraint(
            "mean_match_score IS NULL OR (mean_match_score >= 0 AND mean_match_score <= 1)",
            name="ck_reference_models_mean_match_score",
        ),
        sa.CheckConstraint("usage_count >= 0", name="ck_reference_models_usage_count"),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["model_versions.id"],
            name="fk_reference_models_version_id_model_versions",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reference_models"),
        sa.UniqueConstraint("name", name="uq_reference_models_name"),
    )
    op.create_index("ix_reference_models_domain", "reference_models", ["domain"])
    op.create_index("ix_reference_models_version_id", "reference_models", ["version_id"])


def downgrade() -> None:
    op.drop_index("ix_reference_models_version_id", table_name="reference_models")
    op.drop_index("ix_reference_models_domain", table_name="reference_models")
    op.drop_table("reference_models")
    op.drop_index("ix_model_aliases_version_id", table_name="model_aliases")
    op.drop_table("model_aliases")
    op.drop_table("model_files")
    op.drop_index("ix_model_versions_order", table_name="model_versions")
    op.drop_table("model_versions")
