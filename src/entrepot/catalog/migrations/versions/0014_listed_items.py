"""Store-move items without a catalog row: ``store_migration_items.listed``.

A store move also carries the objects of the configured store that no catalog row
records (the city lake's raw partitions, the collector's markers): it finds them by
listing the store, and journals each as a *listed* item (ADR 0038). Existing items are
cataloged ones.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("store_migration_items") as batch:
        batch.add_column(
            sa.Column("listed", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("store_migration_items") as batch:
        batch.drop_column("listed")
