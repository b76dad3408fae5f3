"""The job system's wiring, written once: the queues' names, the city unit handler and a
runner bound to its queues. Both the city-only job system (``city_jobs.py``: ``entrepot
city run --jobs``, ``entrepot worker --queue city``) and the fraud service's
(``fraud.py``: ``entrepot serve``, ``entrepot worker``) are built from these parts, so a
city unit runs the same way whichever worker takes it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from entrepot.jobs.queue import JobQueue
from entrepot.jobs.runner import Handler, JobRunner
from entrepot.jobs.worker import worker_name

if TYPE_CHECKING:
    from entrepot.catalog.uow import UnitOfWorkFactory
    from entrepot.city.runtime import CityRuntime


def city_queue_name(jobs_name: str) -> str:
    """The city queue's name beside the service's queue ``jobs_name`` (same backend)."""
    return f"{jobs_name}-city"


def open_queues(url: str | None, *, folder: Path, jobs_name: str) -> tuple[JobQueue, JobQueue]:
    """The service's queue and the city queue beside it, on the backend ``url`` names."""
    return (
        JobQueue.from_url(url, folder=folder, name=jobs_name),
        JobQueue.from_url(url, folder=folder, name=city_queue_name(jobs_name)),
    )


def city_handlers(city: Callable[[], CityRuntime]) -> dict[str, Handler]:
    """The handler of a city unit job; ``city`` gives the runtime when a unit runs (the
    city pipeline, pandas and DuckDB are imported on first use, not here)."""
    from entrepot.city.fanout import CITY_UNIT_KIND, run_unit

    return {CITY_UNIT_KIND: lambda job, _progress: run_unit(city(), job.params)}


def bound_runner(
    uow: UnitOfWorkFactory,
    handlers: Mapping[str, Handler],
    queues: Iterable[JobQueue],
    *,
    heartbeat_seconds: float,
) -> JobRunner:
    """A runner of ``handlers`` that every queue of ``queues`` hands its jobs to."""
    runner = JobRunner(uow, handlers, worker=worker_name(), heartbeat_seconds=heartbeat_seconds)
    for queue in queues:
        queue.bind(runner.run)
    return runner
