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
    message_key: str | None
    message_params: dict[str, Any] | None
    error: str | None
    error_code: str | None
    error_key: str | None
    error_params: dict[str, Any] | None
    params: dict[str, Any]
    result: dict[str, Any]
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


def job_out(job: JobRecord) -> JobOut:
    """The job's public view: its state, progress, error, parameters and result; the
    progress and the error in English (``message``, ``error``) and, beside them, as the
    message they are written from (``*_key``, ``*_params``; null for an earlier release's
    rows, and for an error that carries only its own text and ``error_code``)."""
    values = {name: getattr(job, name) for name in JobOut.model_fields if hasattr(job, name)}
    values["state"] = job.state.value
    values["params"] = dict(job.params)
    values["result"] = dict(job.result)
    for name, said in (("message", job.message_data), ("error", job.error_data)):
        data = None if said is None else said.to_json()
        values[f"{name}_key"] = None if data is None else data["key"]
        values[f"{name}_params"] = None if data is None else data["params"]
    return JobOut(**values)
