"""The background jobs' catalog table.

A job row is the truth about a job: the task queue only carries its id. Registered on
:class:`entrepot.catalog.base.Base` and created by migration ``0004``; the progress and
failure as messages (``message_data``, ``error_data``) by ``0013``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from entrepot.catalog.accounts import tables as _accounts  # noqa: F401 - foreign keys
from entrepot.catalog.base import Base
from entrepot.catalog.columns import IdType, JsonType


class JobRow(Base):
    """One background job: what to do, its state, progress, heartbeat and outcome."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("state IN ('queued', 'running', 'succeeded', 'failed')", name="state"),
        CheckConstraint("progress >= 0 AND progress <= 1", name="progress"),
        Index("ix_jobs_owner", "owner_id", "created_at"),
        Index("ix_jobs_state", "state", "heartbeat_at"),
    )
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: ``None`` for the service's own jobs (building the reference library).
    owner_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]] = mapped_column(JsonType)
    state: Mapped[str] = mapped_column(String(16))
    progress: Mapped[float] = mapped_column(Float)
    message: Mapped[str] = mapped_column(String(500))
    error: Mapped[str | None] = mapped_column(Text)
    error_code: Mapped[str | None] = mapped_column(String(64))
    #: ``message`` and ``error`` as ``entrepot.messages.Message`` data (null before 0013).
    message_data: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    error_data: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    result: Mapped[dict[str, Any]] = mapped_column(JsonType)
    attempts: Mapped[int] = mapped_column(Integer)
    max_attempts: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    worker: Mapped[str | None] = mapped_column(String(128))
