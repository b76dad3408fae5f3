"""The city-flow app's catalog tables: run watermarks and the embedded metrics store.

``city_watermarks`` holds one row per (source, local day): the checksums of the inputs
that day's outputs were computed from, whether that worked, and when. ``city_metrics``
holds the metrics and report documents when the metrics store is the catalog database
(the default); a separate SQLite or PostgreSQL metrics database gets the same table.

Both tables are registered on :class:`entrepot.catalog.base.Base` and created by the
migration ``0003``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CHAR, CheckConstraint, Date, DateTime, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from entrepot.catalog.base import Base
from entrepot.catalog.columns import IdType, JsonType


class CityWatermarkRow(Base):
    """What one (source, day) of the city pipeline was last computed from, and how it went."""

    __tablename__ = "city_watermarks"
    __table_args__ = (
        UniqueConstraint("source", "day", name="uq_city_watermarks_day"),
        CheckConstraint("state IN ('ok', 'failed')", name="state"),
        Index("ix_city_watermarks_day", "day"),
    )
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    day: Mapped[date] = mapped_column(Date)
    inputs: Mapped[list[Any]] = mapped_column(JsonType)
    inputs_digest: Mapped[str] = mapped_column(CHAR(64))
    state: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    output_sha256: Mapped[str | None] = mapped_column(CHAR(64))
    run_id: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CityMetricRow(Base):
    """One stored document: the metrics of a type, or the report, for one local day."""

    __tablename__ = "city_metrics"
    __table_args__ = (
        UniqueConstraint("kind", "day", name="uq_city_metrics_document"),
        Index("ix_city_metrics_day", "day"),
    )
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    day: Mapped[date] = mapped_column(Date)
    document: Mapped[dict[str, Any]] = mapped_column(JsonType)
    sha256: Mapped[str] = mapped_column(CHAR(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
