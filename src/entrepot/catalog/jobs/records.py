"""Domain values of the background jobs: frozen dataclasses, no SQLAlchemy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from entrepot.messages import Message


class JobState(StrEnum):
    """Where a job is; ``succeeded`` and ``failed`` are final."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def final(self) -> bool:
        """Whether the job will not change any more."""
        return self in (JobState.SUCCEEDED, JobState.FAILED)


@dataclass(frozen=True, slots=True)
class JobRecord:
    """One row of ``jobs``."""

    id: str
    owner_id: int | None
    kind: str
    params: Mapping[str, Any]
    state: JobState
    progress: float
    message: str  # the progress in English
    error: str | None  # the failure in English
    error_code: str | None
    result: Mapping[str, Any]
    attempts: int
    max_attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    heartbeat_at: datetime | None
    worker: str | None
    #: ``message`` and ``error`` as messages; ``None`` for rows of an earlier release.
    message_data: Message | None = None
    error_data: Message | None = None
