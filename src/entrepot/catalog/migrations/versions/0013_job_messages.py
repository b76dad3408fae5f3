"""A job's progress and failure as messages: ``jobs.message_data`` and ``jobs.error_data``.

Each holds ``{"key": ..., "params": {...}}`` (``entrepot.messages``), which every page
writes in its own language; ``message`` and ``error`` keep the English text beside them.
Rows written before hold no data: their text shows as it is.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("message_data", _json(), nullable=True))
        batch.add_column(sa.Column("error_data", _json(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("error_data")
        batch.drop_column("message_data")
