"""The key ring (issue 26, ADR 0035): ``signing_keys`` holds the keys that sign model
versions, each wrapped with the instance secret, so a catalog copy carries them; a
signature now names its key (``hmac-sha256:<key id>:<hex>``), so ``model_versions.signature``
widens from 64 characters to 128.

Revision ID: 0011 (the key ring; the scripts' chain names revisions by number)
Revises: 0010
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "signing_keys",
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("wrapped", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_id", name="pk_signing_keys"),
    )
    with op.batch_alter_table("model_versions") as batch:
        batch.alter_column(
            "signature", existing_type=sa.CHAR(64), type_=sa.String(128), existing_nullable=True
        )


def downgrade() -> None:
    with op.batch_alter_table("model_versions") as batch:
        batch.alter_column(
            "signature", existing_type=sa.String(128), type_=sa.CHAR(64), existing_nullable=True
        )
    op.drop_table("signing_keys")
