"""Token scopes and parents: ``api_tokens.scope`` and ``api_tokens.parent_id``.

A token's scope (``read``, ``write``, ``admin``) says what it may do; ``parent_id`` names
the token that minted it, so that revoking a token revokes what it minted. Existing tokens
keep what they could do: ``admin`` for an administrator's, ``write`` for anyone else's.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("scope", sa.String(8), nullable=True))
        batch.add_column(
            sa.Column(
                "parent_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
            )
        )
    op.execute(
        "UPDATE api_tokens SET scope = CASE WHEN user_id IN "
        "(SELECT id FROM users WHERE is_admin) THEN 'admin' ELSE 'write' END"
    )
    with op.batch_alter_table("api_tokens") as batch:
        batch.alter_column("scope", existing_type=sa.String(8), nullable=False)
        batch.create_check_constraint("ck_api_tokens_scope", "scope IN ('read', 'write', 'admin')")
        batch.create_foreign_key(
            "fk_api_tokens_parent_id_api_tokens",
            "api_tokens",
            ["parent_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index("ix_api_tokens_parent_id", ["parent_id"])


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_index("ix_api_tokens_parent_id")
        batch.drop_constraint("fk_api_tokens_parent_id_api_tokens", type_="foreignkey")
        batch.drop_constraint("ck_api_tokens_scope", type_="check")
        batch.drop_column("parent_id")
        batch.drop_column("scope")
