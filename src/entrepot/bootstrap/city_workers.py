"""The city units a run spreads over Dask workers (``city run --workers N``): each worker
process builds its own city service once per run from the instance's settings in its own
environment, as a job worker does (a local cluster's processes inherit the command's;
compose's workers share the app's: no secret travels in a task), and computes the units it
is given with the same :func:`~entrepot.city.fanout.run_unit` as a job worker, into the
same stores. DuckDB's scan gets the worker's share of the cores, as the job queue's local
workers do (``cli/city/fanout.py``), unless the user set it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from entrepot.city.limits import DEFAULT_SCAN_THREADS

if TYPE_CHECKING:
    from entrepot.bootstrap.parts import Parts
    from entrepot.city_service.service import CityService
    from entrepot.city_service.spread import CitySpread
    from entrepot.config import Settings

#: The modules a city unit runs, and the engines they load: what a local cluster's
#: workers for a city run are forked with (``bootstrap.cluster.dask_pool``, ADR 0105).
CITY_TASKS = (
    "entrepot.bootstrap.city_workers",
    "entrepot.bootstrap.parts",
    "entrepot.city.fanout",
    "entrepot.city_service.service",
    "duckdb",
)
#: The city service of this worker process, by the run that built it.
_SERVICES: dict[str, CityService] = {}


@dataclass(frozen=True)
class WorkerSetup:
    """What each worker is sent once: DuckDB's threads, and the run's token (a worker
    builds its service once per run)."""

    scan_threads: int
    token: str


def city_unit(setup: WorkerSetup, params: Mapping[str, Any]) -> dict[str, Any]:
    """One unit on a worker (``city.spread.UnitTask``)."""
    from entrepot.city.fanout import run_unit

    service = _SERVICES.get(setup.token)
    if service is None:
        from entrepot.bootstrap.parts import Parts

        _SERVICES.clear()  # one run's service at a time
        service = city_over(Parts(), scan_threads=setup.scan_threads)  # its environment's
        _SERVICES[setup.token] = service
    return run_unit(service, params)


def city_over(parts: Parts, *, scan_threads: int | None = None, **given: Any) -> CityService:
    """The city service over an instance's parts (``App.city``, and each worker's own):
    its store, catalog and metrics store; ``given``: the job queue, the feeds, the spread."""
    from entrepot.city_service.service import CityService

    settings = parts.settings
    return CityService(
        lambda: parts.store,
        engine=lambda: parts.engine,
        metrics_url=settings.city.metrics_url,
        scan_threads=settings.city.scan_threads if scan_threads is None else scan_threads,
        reads=lambda: parts.reads(),
        **given,
    )


def city_spread(settings: Settings) -> CitySpread:
    """The pools, task and setup of a spread city run over this instance."""
    from entrepot.bootstrap.cluster import dask_pool
    from entrepot.city_service.spread import CitySpread

    def shared(workers: int) -> WorkerSetup:
        threads = settings.city.scan_threads
        if not settings.is_set("city_scan_threads"):
            share = max(1, (os.cpu_count() or 1) // max(1, workers))
            threads = min(DEFAULT_SCAN_THREADS, share)
        return WorkerSetup(threads, uuid.uuid4().hex)

    return CitySpread(
        pools=lambda workers: dask_pool(settings.jobs.dask_url, workers, CITY_TASKS),
        task=city_unit,
        shared=shared,
    )
