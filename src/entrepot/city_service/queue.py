"""The city backfill's job queue: submit unit jobs, poll them, work them (``entrepot city
run --jobs``, ``entrepot worker --queue city``); nothing of the ML stack is imported. It is
a view of the instance's job system (:mod:`entrepot.bootstrap.jobs`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from entrepot.jobs.queue import JobQueue
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
    #: A worker (not started) on the city queue with that many threads.
    make_worker: Callable[[int], Worker]

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
        return self.make_worker(threads)
