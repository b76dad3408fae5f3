"""``leases``: one row per piece of work a process holds (a reference being built). The
holder beats ``beat_at`` while it works; a row whose beat is older than the lease's
staleness is a crashed holder's, and the next one takes it over. Created by migration
``0016`` (``0016_leases.py``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from entrepot.catalog.base import Base


class LeaseRow(Base):
    """Who holds the work ``name`` (host, process and a random part), since when, and
    when it last said it still works on it."""

    __tablename__ = "leases"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    beat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
