"""The fraud web service: accounts, tokens, licences, audit, jobs, datasets, predictions.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _when(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", _id(), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("session_epoch", sa.Integer(), nullable=False),
        sa.Column("quota_seq", sa.BigInteger(), nullable=False),
        sa.Column("oidc_subject", sa.String(255), nullable=True),
        _when("created_at"),
        _when("last_login_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("email", name="uq_users_email"),
        sa.UniqueConstraint("oidc_subject", name="uq_users_oidc_subject"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", _id(), nullable=False),
        sa.Column("user_id", _id(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.CHAR(64), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        _when("created_at"),
        _when("last_used_at", nullable=True),
        _when("revoked_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_api_tokens_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    op.create_table(
        "licences",
        sa.Column("id", _id(), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("plan", sa.String(16), nullable=False),
        sa.Column("duration_days", sa.Integer(), nullable=False),
        sa.Column("user_id", _id(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        _when("created_at"),
        sa.Column("created_by", sa.String(320), nullable=False),
        _when("activated_at", nullable=True),
        _when("expires_at", nullable=True),
        sa.CheckConstraint(
            "plan IN ('trial', 'basic', 'premium', 'enterprise')", name="ck_licences_plan"
        ),
        sa.CheckConstraint("duration_days > 0", name="ck_licences_duration_days"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_licences_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_licences"),
        sa.UniqueConstraint("key", name="uq_licences_key"),
    )
    op.create_index("ix_licences_user_id", "licences", ["user_id"])
    op.create_table(
        "login_attempts",
        sa.Column("id", _id(), nullable=False),
        sa.Column("scope", sa.String(400), nullable=False),
        _when("at"),
        sa.PrimaryKeyConstraint("id", name="pk_login_attempts"),
    )
    op.create_index("ix_login_attempts_scope_at", "login_attempts", ["scope", "at"])
    op.create_table(
        "admin_audit",
        sa.Column("id", _id(), nullable=False),
        _when("at"),
        sa.Column("actor_id", _id(), nullable=True),
        sa.Column("actor", sa.String(320), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(400), nullable=False),
        sa.Column("details", _json(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_admin_audit"),
    )
    op.create_index("ix_admin_audit_at", "admin_audit", ["at"])
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("owner_id", _id(), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("params", _json(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("message", sa.String(500), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("error_code", sa.String(64), nullable=True),
        sa.Column("result", _json(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        _when("created_at"),
        _when("started_at", nullable=True),
        _when("finished_at", nullable=True),
        _when("heartbeat_at", nullable=True),
        sa.Column("worker", sa.String(128), nullable=True),
        sa.CheckConstraint(
            "state IN ('queued', 'running', 'succeeded', 'failed')", name="ck_jobs_state"
        ),
        sa.CheckConstraint("progress >= 0 AND progress <= 1", name="ck_jobs_progress"),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name="fk_jobs_owner_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
    )
    op.create_index("ix_jobs_owner", "jobs", ["owner_id", "created_at"])
    op.create_index("ix_jobs_state", "jobs", ["state", "heartbeat_at"])
    op.create_table(
        "datasets",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("owner_id", _id(), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("object_id", _id(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.CHAR(64), nullable=False),
        sa.Column("rows", sa.BigInteger(), nullable=False),
        sa.Column("columns", sa.Integer(), nullable=False),
        sa.Column("labelled", sa.Boolean(), nullable=False),
        sa.Column("target", sa.String(255), nullable=True),
        sa.Column("analysis", _json(), nullable=False),
        _when("created_at"),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name="fk_datasets_owner_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["object_id"], ["objects.id"], name="fk_datasets_object_id_objects", ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_datasets"),
        sa.UniqueConstraint("object_id", name="uq_datasets_object_id"),
    )
    op.create_index("ix_datasets_owner", "datasets", ["owner_id", "created_at"])
    op.create_table(
        "predictions",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("owner_id", _id(), nullable=False),
        sa.Column("job_id", sa.String(32), nullable=True),
        sa.Column("dataset_id", sa.String(32), nullable=True),
        sa.Column("dataset_name", sa.String(255), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("model_name", sa.String(64), nullable=True),
        sa.Column("model_version", sa.String(64), nullable=True),
        sa.Column("object_id", _id(), nullable=False),
        sa.Column("rows", sa.BigInteger(), nullable=False),
        sa.Column("summary", _json(), nullable=False),
        sa.Column("preview", _json(), nullable=False),
        _when("created_at"),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name="fk_predictions_owner_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name="fk_predictions_dataset_id_datasets",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["object_id"],
            ["objects.id"],
            name="fk_predictions_object_id_objects",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_predictions"),
        sa.UniqueConstraint("object_id", name="uq_predictions_object_id"),
    )
    op.create_index("ix_predictions_owner", "predictions", ["owner_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_predictions_owner", table_name="predictions")
    op.drop_table("predictions")
    op.drop_index("ix_datasets_owner", table_name="datasets")
    op.drop_table("datasets")
    op.drop_index("ix_jobs_state", table_name="jobs")
    op.drop_index("ix_jobs_owner", table_name="jobs")
    op.drop_table("jobs")
    op.drop_index("ix_admin_audit_at", table_name="admin_audit")
    op.drop_table("admin_audit")
    op.drop_index("ix_login_attempts_scope_at", table_name="login_attempts")
    op.drop_table("login_attempts")
    op.drop_index("ix_licences_user_id", table_name="licences")
    op.drop_table("licences")
    op.drop_index("ix_api_tokens_user_id", table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_table("users")
