"""The analyst's decisions in the catalog: ``feedback`` (one label per scored row of a
prediction, the later decision replacing the earlier) and ``model_thresholds`` (a decision
threshold saved for a model version). Both go with what they refer to (``ON DELETE
CASCADE``). Registered on :class:`entrepot.catalog.base.Base`, created by migration
``0007``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from entrepot.catalog.base import Base
from entrepot.catalog.columns import IdType
from entrepot.catalog.models import tables as _models  # noqa: F401 - foreign keys
from entrepot.catalog.workspace import tables as _workspace  # noqa: F401 - foreign keys


class FeedbackRow(Base):
    """An analyst's label for row ``row`` (from 1) of a prediction's scored file."""

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("prediction_id", "row"),
        Index("ix_feedback_owner", "owner_id", "model_name"),
    )
    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    owner_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id", ondelete="CASCADE"))
    prediction_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("predictions.id", ondelete="CASCADE")
    )
    #: The model the prediction scored with (``None``: the reference ensemble).
    model_name: Mapped[str | None] = mapped_column(String(64))
    row: Mapped[int] = mapped_column(BigInteger)
    label: Mapped[int] = mapped_column(SmallInteger)
    decided_by: Mapped[str] = mapped_column(String(320))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ModelThresholdRow(Base):
    """A decision threshold an analyst saved for a model version."""

    __tablename__ = "model_thresholds"
    model_version_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("model_versions.id", ondelete="CASCADE"), primary_key=True
    )
    threshold: Mapped[float] = mapped_column(Float)
    set_by: Mapped[str] = mapped_column(String(320))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
