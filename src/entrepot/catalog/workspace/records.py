"""Domain values of a user's workspace: datasets and predictions, no SQLAlchemy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class DatasetRecord:
    """An uploaded table, where its bytes are, and its analysis."""

    id: str
    owner_id: int
    name: str
    format: str
    key: str
    size: int
    sha256: str
    rows: int
    columns: int
    labelled: bool
    target: str | None
    analysis: Mapping[str, Any]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PredictionRecord:
    """Stored scores of a dataset, with their summary and preview."""

    id: str
    owner_id: int
    job_id: str | None
    dataset_id: str | None
    dataset_name: str
    source: str
    model_name: str | None
    model_version: str | None
    key: str
    size: int
    rows: int
    summary: Mapping[str, Any]
    preview: Mapping[str, Any]
    created_at: datetime
