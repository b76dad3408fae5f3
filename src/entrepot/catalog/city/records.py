"""Watermarks as the catalog knows them: plain frozen dataclasses, no SQLAlchemy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

WatermarkState = Literal["ok", "failed"]


@dataclass(frozen=True)
class Watermark:
    """One (source, day) row of the watermark table."""

    source: str
    day: date
    inputs: tuple[dict[str, Any], ...]
    inputs_digest: str
    state: WatermarkState
    error: str | None
    output_sha256: str | None
    run_id: str
    updated_at: datetime


@dataclass(frozen=True)
class SourceSummary:
    """The watermarks of one source, counted."""

    source: str
    ok: int
    failed: int
    first_day: date | None
    last_day: date | None
    updated_at: datetime | None
