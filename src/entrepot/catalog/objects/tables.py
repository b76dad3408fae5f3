"""The ``objects`` table: every object written to the store and vouched for by the catalog.

Tables that describe stored bytes (model files, manifests, datasets, predictions, reports)
reference ``objects.id`` by foreign key, so ``gc`` and ``verify``, which read ``objects``,
cover them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CHAR,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    String,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from entrepot.catalog.base import Base
from entrepot.catalog.columns import IdType, KeyType


class ObjectRow(Base):
    """An object written to the store and vouched for by the catalog."""

    __tablename__ = "objects"
    __table_args__ = (
        CheckConstraint("state IN ('stored', 'quarantined')", name="state"),
        CheckConstraint("size >= 0", name="size"),
    )
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    key: Mapped[str] = mapped_column(KeyType, unique=True)
    sha256: Mapped[str] = mapped_column(CHAR(64))
    size: Mapped[int] = mapped_column(BigInteger)
    owner: Mapped[str | None] = mapped_column(String(128), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    state: Mapped[str] = mapped_column(String(16), default="stored")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class DamageRow(Base):
    """Damage found on a recorded object (by ``entrepot verify`` or by a read): what the
    catalog expected, what the store had, and whether the cache held a good copy."""

    __tablename__ = "object_damage"
    object_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("objects.id", ondelete="CASCADE"), primary_key=True
    )
    problem: Mapped[str] = mapped_column(String(32))
    expected: Mapped[str] = mapped_column(String(128))
    found: Mapped[str | None] = mapped_column(String(128))
    detected_by: Mapped[str] = mapped_column(String(16))
    cached_copy: Mapped[bool] = mapped_column(Boolean, default=False)
    detected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
