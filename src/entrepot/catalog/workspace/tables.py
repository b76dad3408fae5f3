"""A user's workspace in the catalog: uploaded datasets and stored predictions.

Both point at the ``objects`` row of their bytes (``ON DELETE RESTRICT``), so ``gc`` and
``verify`` cover them and no row can outlive its object. Registered on
:class:`entrepot.catalog.base.Base` and created by migration ``0004``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CHAR, BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from entrepot.catalog.accounts import tables as _accounts  # noqa: F401 - foreign keys
from entrepot.catalog.base import Base
from entrepot.catalog.columns import IdType, JsonType
from entrepot.catalog.objects import tables as _objects  # noqa: F401 - foreign keys


class DatasetRow(Base):
    """An uploaded table and its analysis."""

    __tablename__ = "datasets"
    __table_args__ = (Index("ix_datasets_owner", "owner_id", "created_at"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(16))
    object_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("objects.id", ondelete="RESTRICT"), unique=True
    )
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(CHAR(64))
    rows: Mapped[int] = mapped_column(BigInteger)
    columns: Mapped[int] = mapped_column(Integer)
    labelled: Mapped[bool] = mapped_column(Boolean)
    target: Mapped[str | None] = mapped_column(String(255))
    analysis: Mapped[dict[str, Any]] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PredictionRow(Base):
    """Scores of a dataset, stored as a CSV object, with their summary and a preview."""

    __tablename__ = "predictions"
    __table_args__ = (Index("ix_predictions_owner", "owner_id", "created_at"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id", ondelete="CASCADE"))
    job_id: Mapped[str | None] = mapped_column(String(32))
    dataset_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("datasets.id", ondelete="SET NULL")
    )
    dataset_name: Mapped[str] = mapped_column(String(255))
    #: ``model`` (one of the user's models) or ``references`` (the reference ensemble).
    source: Mapped[str] = mapped_column(String(16))
    model_name: Mapped[str | None] = mapped_column(String(64))
    model_version: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("objects.id", ondelete="RESTRICT"), unique=True
    )
    rows: Mapped[int] = mapped_column(BigInteger)
    summary: Mapped[dict[str, Any]] = mapped_column(JsonType)
    preview: Mapped[dict[str, Any]] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
