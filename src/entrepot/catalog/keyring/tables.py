"""``signing_keys``: one row per key of the ring that signs model versions. ``wrapped`` is
the key encrypted with the instance secret (``registry/wrapping.py``), never the key
itself; the newest row signs. Created by migration ``0011`` (``0011_keyring.py``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from entrepot.catalog.base import Base


class SigningKeyRow(Base):
    """One key of the ring: its id (recorded in every signature it makes), wrapped."""

    __tablename__ = "signing_keys"
    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    wrapped: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
