"""A backfill over Dask workers (``entrepot city run --workers N``, issue 40 item 1).

The same (type, days) units as the job queue's fan-out (:func:`~entrepot.city.fanout.
units`: traffic by runs of 31 days, each other type a day at a time, the long ones
first), each computed where a worker is by the same :func:`~entrepot.city.fanout.run_unit`
into the same stores; each day's report as soon as the units holding that day are back
(:func:`~entrepot.pools.run_waiting`: on Dask the scheduler starts it then, beside the
other days' metrics; on another pool, after the wave of metric units). A unit's
failed day is an outcome, as in process; the scheduler lost is the pool's refusal
(:class:`~entrepot.errors.SchedulerUnavailable`), with every finished unit kept (each
wrote its own write-once documents and watermarks). The outcomes come in the fan-out's
order: the types longest first, then the reports, by day.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from entrepot.city.fanout import UnitState, outcomes_of, unit_params, units
from entrepot.city.kinds import REPORT
from entrepot.city.report_files import new_run_id
from entrepot.city.runs import RunSummary
from entrepot.pools import Pool, run_waiting

__all__ = ["Pool", "UnitTask", "report_waits", "spread_run"]


#: ``task(shared, unit params) -> the unit's result``: one unit, on a worker.
UnitTask = Callable[[Any, Mapping[str, Any]], dict[str, Any]]


def spread_run(
    pool: Pool,
    task: UnitTask,
    shared: Any,
    days: Iterable[date],
    types: Iterable[str],
    *,
    prefix: str = "",
    force: bool = False,
    report: bool = True,
    memory_limit: str,
    on_progress: Callable[[int, int], None] | None = None,
) -> RunSummary:
    """Compute the metric units over ``pool``, and each day's report after its day's units
    (see the module)."""
    ordered = sorted(set(days))
    metric = units(types, ordered, prefix=prefix, force=force, memory_limit=memory_limit)
    reports = [
        unit_params(REPORT, [day], prefix=prefix, force=force, memory_limit=memory_limit)
        for day in ordered
        if report
    ]
    total = len(metric) + len(reports)
    if on_progress is not None:
        on_progress(0, total)
    told = None if on_progress is None else (lambda done: on_progress(done, total))
    after: list[list[int]] = [[] for _ in metric] + report_waits(metric, reports)
    found = run_waiting(pool, task, shared, metric + reports, after, on_done=told)
    counted = [r["bytes_read"] for r in found if r.get("bytes_read") is not None]
    read = sum(counted) if len(counted) == len(found) else None  # each unit's, or none
    return RunSummary(new_run_id(), tuple(_ordered(metric + reports, found)), bytes_read=read)


def report_waits(
    metric: Sequence[Mapping[str, Any]], reports: Sequence[Mapping[str, Any]]
) -> list[list[int]]:
    """For each report, the positions (in ``metric``) of the metric units whose days
    include its day: what it waits for."""
    return [
        [i for i, unit in enumerate(metric) if report["days"][0] in unit["days"]]
        for report in reports
    ]


def _ordered(sent: Sequence[Mapping[str, Any]], results: Sequence[dict[str, Any]]) -> list[Any]:
    finished = [UnitState("succeeded", result, None) for result in results]
    return outcomes_of(sent, finished)
