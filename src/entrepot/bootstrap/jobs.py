"""The instance's job system, wired once: the service's queue and the city queue beside it
on one backend, one :class:`~entrepot.jobs.service.JobService` that routes each kind to its
queue, one runner that knows every kind, and the workers on any of the queues.

The handlers are given by the composition root (:class:`~entrepot.bootstrap.app.App`),
which resolves a fraud job's handler only when such a job runs: a worker on the city
queue never loads the ML stack (``entrepot worker --queue city``, ``city run --jobs``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the job machinery is imported when it is built (the CLI's start-up)
    from entrepot.catalog.uow import UnitOfWorkFactory
    from entrepot.city_service.queue import CityJobs
    from entrepot.city_service.service import CityService
    from entrepot.config import Settings
    from entrepot.fraud_service.options import ServiceOptions
    from entrepot.jobs.queue import JobQueue
    from entrepot.jobs.runner import Handler, JobRunner
    from entrepot.jobs.service import JobService
    from entrepot.jobs.worker import Worker


class QueueChoice(StrEnum):
    """Which queues a worker takes its jobs from."""

    all = "all"
    fraud = "fraud"
    city = "city"


@dataclass(frozen=True)
class JobOptions:
    """Where the queues are and how jobs are watched: a view of the settings."""

    #: ``None``: the embedded queue in ``folder``; ``redis://...`` to share the work.
    url: str | None
    folder: Path
    #: The service queue's name; the city queue is ``{name}-city`` on the same backend.
    name: str
    heartbeat_seconds: float
    stale_after_seconds: float
    threads: int

    @classmethod
    def from_settings(cls, settings: Settings) -> JobOptions:
        """The job options the settings give."""
        return cls(
            url=settings.jobs.url or settings.jobs.redis_url,
            folder=Path(settings.var_dir),
            name=settings.jobs.name,
            heartbeat_seconds=float(settings.jobs.heartbeat_seconds),
            stale_after_seconds=float(settings.jobs.stale_seconds),
            threads=settings.jobs.worker_threads,
        )

    @classmethod
    def of_service(cls, options: ServiceOptions) -> JobOptions:
        """The job options of the fraud service's ``options`` (tests replace some)."""
        return cls(
            url=options.jobs.queue_url,
            folder=options.var_dir,
            name=options.jobs.name,
            heartbeat_seconds=options.jobs.heartbeat_seconds,
            stale_after_seconds=options.jobs.stale_seconds,
            threads=options.jobs.worker_threads,
        )

    @property
    def city_name(self) -> str:
        """The city queue's name beside the service's queue (same backend)."""
        return f"{self.name}-city"


@dataclass
class JobSystem:
    """The queues, the job service, the runner; workers on demand."""

    options: JobOptions
    jobs: JobService
    #: Trainings, scorings and the reference build.
    queue: JobQueue
    #: The city backfill's units (``entrepot city run --jobs``).
    city_queue: JobQueue
    runner: JobRunner

    def queues(self, choice: str = QueueChoice.all) -> tuple[JobQueue, ...]:
        """The queues of ``choice`` (a :class:`QueueChoice`): ``all`` (trainings and
        scorings first, then city units), ``fraud`` or ``city``."""
        return {
            QueueChoice.all: (self.queue, self.city_queue),
            QueueChoice.fraud: (self.queue,),
            QueueChoice.city: (self.city_queue,),
        }[QueueChoice(choice)]

    def worker(self, threads: int | None = None, *, queues: str = QueueChoice.all) -> Worker:
        """A worker (not started) on ``queues``. A city-only worker looks at its queue
        again sooner: a day's report is sent while the last units run."""
        from entrepot.city_service.queue import CITY_IDLE_WAIT
        from entrepot.jobs.worker import Worker

        stale = self.options.stale_after_seconds
        city = QueueChoice(queues) is QueueChoice.city
        city_only: dict[str, Any] = {"idle_wait": CITY_IDLE_WAIT} if city else {}
        return Worker(
            self.queues(queues),
            self.jobs.uow_factory,
            threads=threads or self.options.threads,
            stale_after=timedelta(seconds=stale),
            reap_every=max(1.0, stale / 4),
            resend=self.jobs.resend,
            pending=None if city else self.jobs.pending,
            **city_only,
        )

    def describe(self, queues: str = QueueChoice.all) -> str:
        """Where a worker on ``queues`` takes its jobs from."""
        return ", ".join(queue.description for queue in self.queues(queues))

    @cached_property
    def city(self) -> CityJobs:
        """The city backfill's view: submit unit jobs, poll them, work them."""
        from entrepot.city_service.queue import CityJobs

        return CityJobs(
            self.jobs,
            self.city_queue,
            lambda threads: self.worker(threads, queues=QueueChoice.city),
        )


def build_job_system(
    options: JobOptions, uow: UnitOfWorkFactory, handlers: Mapping[str, Handler]
) -> JobSystem:
    """Open both queues on the backend ``options.url`` names, and bind one runner of
    ``handlers`` to them."""
    from entrepot.jobs.queue import JobQueue
    from entrepot.jobs.runner import JobRunner
    from entrepot.jobs.service import JobService
    from entrepot.jobs.worker import worker_name

    queue = JobQueue.from_url(options.url, folder=options.folder, name=options.name)
    city_queue = JobQueue.from_url(options.url, folder=options.folder, name=options.city_name)
    from entrepot.city.fanout import CITY_UNIT_KIND

    jobs = JobService(uow, queue, routes={CITY_UNIT_KIND: city_queue})
    runner = JobRunner(
        uow, handlers, worker=worker_name(), heartbeat_seconds=options.heartbeat_seconds
    )
    for each in (queue, city_queue):
        each.bind(runner.run)
    return JobSystem(options, jobs, queue, city_queue, runner)


def city_handlers(city: Callable[[], CityService]) -> dict[str, Handler]:
    """The handler of a city unit job; ``city`` gives the city service when a unit runs (the
    city pipeline, pandas and DuckDB are imported on first use, not here)."""
    from entrepot.city.fanout import CITY_UNIT_KIND, run_unit

    return {CITY_UNIT_KIND: lambda job, _progress: run_unit(city(), job.params)}
