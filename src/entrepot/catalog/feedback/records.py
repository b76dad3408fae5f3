"""The analyst's decisions as domain values, no SQLAlchemy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class FeedbackRecord:
    """An analyst's label (1 fraud, 0 legitimate) for one scored row."""

    prediction_id: str
    row: int
    label: int
    decided_by: str
    decided_at: datetime


@dataclass(frozen=True, slots=True)
class ThresholdRecord:
    """A threshold saved for a model version."""

    model_version_id: int
    threshold: float
    set_by: str
    set_at: datetime
