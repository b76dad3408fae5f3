"""How far the first-start reference build has come, for the pages' banner: read from the
build job's recorded progress (``jobs.progress``, a share of ``params.count``)."""

from __future__ import annotations

from dataclasses import dataclass

from entrepot.fraud_service.job_payloads import BUILD_KIND
from entrepot.jobs.service import JobService


@dataclass(frozen=True)
class BuildProgress:
    """``done`` references of ``total`` are built (or were already there)."""

    done: int
    total: int


def reference_progress(jobs: JobService) -> BuildProgress | None:
    """The progress of the reference build that is queued or running; ``None`` when no
    build is under way."""
    job = jobs.newest_unfinished(None, BUILD_KIND)
    if job is None:
        return None
    total = max(int(job.params.get("count") or 0), 0)
    done = min(max(round(job.progress * total), 0), total)
    return BuildProgress(done, total)
