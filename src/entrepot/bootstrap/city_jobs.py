"""The city backfill's job system built without the fraud service: the city queue and a
runner that knows only city units (:class:`~entrepot.city_service.queue.CityJobs`); nothing
of the ML stack is imported. ``entrepot worker`` (all queues) gets the same handler through
:mod:`entrepot.bootstrap.fraud` (both from ``job_wiring.py``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from entrepot.bootstrap.job_wiring import bound_runner, city_handlers, city_queue_name
from entrepot.city_service.queue import CityJobs
from entrepot.jobs.queue import JobQueue
from entrepot.jobs.service import JobService

if TYPE_CHECKING:
    from entrepot.catalog.uow import UnitOfWorkFactory
    from entrepot.city.runtime import CityRuntime
    from entrepot.config import Settings


def build_city_jobs(
    settings: Settings, uow: UnitOfWorkFactory, city: Callable[[], CityRuntime]
) -> CityJobs:
    """The city job system over the catalog ``uow`` opens; ``city`` gives the runtime that
    runs a unit."""
    queue = JobQueue.from_url(
        settings.jobs_url or settings.redis_url,
        folder=Path(settings.var_dir),
        name=city_queue_name(settings.jobs_name),
    )
    runner = bound_runner(
        uow,
        city_handlers(city),
        (queue,),
        heartbeat_seconds=float(settings.job_heartbeat_seconds),
    )
    jobs = JobService(uow, queue)
    return CityJobs(jobs, queue, runner, timedelta(seconds=float(settings.job_stale_seconds)))
