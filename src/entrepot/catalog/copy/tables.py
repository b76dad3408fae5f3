"""The resume marker of ``entrepot db copy``: one row per copy into this database.

The row is written in the target, in the same transaction as each batch of copied rows, so
it always says exactly how far an interrupted copy got (``progress``: per table, the last
primary key copied and whether the table is complete). It is bookkeeping of the target
itself: never copied, never part of the compared digests. Created by migration
``0008``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from entrepot.catalog.base import Base
from entrepot.catalog.columns import IdType, JsonType


class CatalogCopyRow(Base):
    """One copy of another catalog into this one: where from, how far, whether done."""

    __tablename__ = "catalog_copies"
    __table_args__ = (CheckConstraint("state IN ('copying', 'done')", name="state"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    source: Mapped[str] = mapped_column(String(1024))
    revision: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    progress: Mapped[dict[str, Any]] = mapped_column(JsonType)
    rows_copied: Mapped[int] = mapped_column(BigInteger)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
