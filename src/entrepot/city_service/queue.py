"""The city backfill's job queue: submit unit jobs, poll them, work them (``entrepot city
run --jobs``, ``entrepot worker --queue city``); nothing of the ML stack is imported. The
composition root builds it (:mod:`entrepot.bootstrap.city_jobs`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from entrepot.jobs.queue import JobQueue
from entrepot.jobs.runner import JobRunner
from entrepot.jobs.service import JobService
from entrepot.jobs.worker import Worker

if TYPE_CHECKING:
    from entrepot.city.fanout import UnitState


#: Seconds an idle city worker waits before it looks at the queue again: a day's report is
#: sent while the last units run, and a worker asleep for long would leave it waiting.
CITY_IDLE_WAIT = 0.1


@dataclass
class CityJobs:
    """Submit city unit jobs, and work them."""

    jobs: JobService
    queue: JobQueue
    runner: JobRunner
    stale_after: timedelta

    def submit(self, units: Sequence[Mapping[str, Any]]) -> list[str]:
        """Record the unit jobs ``units`` (their parameters) in one transaction, then send
        them; their ids, in order."""
        from entrepot.city.fanout import CITY_UNIT_KIND

        jobs = self.jobs.submit_many(owner_id=None, kind=CITY_UNIT_KIND, params=units)
        return [job.id for job in jobs]

    def poll(self, ids: Sequence[str]) -> dict[str, UnitState]:
        """Where each unit job of ``ids`` stands (one query)."""
        from entrepot.city.fanout import UnitState

        found = self.jobs.many(ids)
        return {i: UnitState(str(j.state), j.result, j.error or None) for i, j in found.items()}

    def worker(self, threads: int = 1) -> Worker:
        """A worker on the city queue (not started)."""
        return Worker(
            self.queue,
            self.jobs.uow_factory,
            threads=threads,
            stale_after=self.stale_after,
            idle_wait=CITY_IDLE_WAIT,
            reap_every=max(1.0, self.stale_after.total_seconds() / 4),
            resend=self.jobs.resend,
        )
