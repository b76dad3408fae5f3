"""The reaper: no job stays "running" after its worker died.

A running job whose heartbeat is older than ``stale_after`` lost its worker (killed,
out of memory, machine gone). It goes back to the queue while it has attempts left, and
is marked failed after its last one. A queued job whose message was lost (the queue
restarted empty) is sent again; a duplicate message is harmless, since only one worker
can claim a queued job.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.messages import N_, Message

log = logging.getLogger("entrepot.jobs")


@dataclass
class ReapReport:
    """What one pass of the reaper did."""

    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    resent: list[str] = field(default_factory=list)


def reap(
    uow_factory: UnitOfWorkFactory,
    enqueue: Callable[[str], None],
    *,
    stale_after: timedelta,
    pending: Callable[[], int] | None = None,
    resend_after: timedelta = timedelta(minutes=5),
    now: datetime | None = None,
) -> ReapReport:
    """One pass: requeue or fail jobs whose worker went silent; resend lost messages when
    the queue is empty (``pending() == 0``)."""
    now = now or datetime.now(UTC)
    report = ReapReport()
    before = now - stale_after
    with uow_factory() as uow:
        for job in uow.jobs.stale(before):
            silent = int((now - (job.heartbeat_at or now)).total_seconds())
            if job.attempts < job.max_attempts:
                message = Message(
                    N_("progress.requeued"), {"worker": str(job.worker), "seconds": silent}
                )
                if uow.jobs.requeue_stale(job.id, before, message):
                    report.requeued.append(job.id)
            else:
                error = Message(
                    N_("error.worker_stopped"),
                    {"worker": str(job.worker), "seconds": silent, "attempts": job.attempts},
                )
                if uow.jobs.fail_stale(job.id, before, now, error):
                    report.failed.append(job.id)
        uow.commit()
        waiting = uow.jobs.waiting(now - resend_after) if pending and pending() == 0 else ()
    for job_id in report.requeued:
        enqueue(job_id)
    for job in waiting:
        enqueue(job.id)
        report.resent.append(job.id)
    if report.requeued or report.failed or report.resent:
        log.warning(
            "reaper",
            extra={"requeued": report.requeued, "failed": report.failed, "resent": report.resent},
        )
    return report
