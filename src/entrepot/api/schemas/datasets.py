"""Your uploaded datasets and their analysis."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from entrepot.api.schemas.base import fields_of
from entrepot.catalog.workspace.records import DatasetRecord


class DatasetOut(BaseModel):
    id: str
    name: str
    format: str
    size: int
    rows: int
    columns: int
    labelled: bool
    target: str | None
    created_at: datetime


class UploadOut(BaseModel):
    dataset_id: str
    dataset: DatasetOut
    analysis: dict[str, Any]


def dataset_out(dataset: DatasetRecord) -> DatasetOut:
    return DatasetOut(**fields_of(dataset, DatasetOut))
