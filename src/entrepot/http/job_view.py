"""A job as the JSON API answers it and the job page polls it (one shape for both)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from entrepot.catalog.jobs.records import JobRecord


class JobOut(BaseModel):
    id: str
    kind: str
    state: str
    progress: float
    message: str
    error: str | None
    error_code: str | None
    params: dict[str, Any]
    result: dict[str, Any]
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


def job_out(job: JobRecord) -> JobOut:
    """The job's public view: its state, progress, error, parameters and result."""
    values = {name: getattr(job, name) for name in JobOut.model_fields if hasattr(job, name)}
    values["state"] = job.state.value
    values["params"] = dict(job.params)
    values["result"] = dict(job.result)
    return JobOut(**values)
