"""A backfill fanned out on the job queue: one job per (metric type, day), traffic by month.

``entrepot city run --jobs`` records a unit job for each (type, day) — for traffic, each run
of up to :data:`TRAFFIC_DAYS` days, since every traffic unit scans the whole counts export
— sends them on the city queue (embedded SQLite, or Redis to share among machines), and
waits while workers (the command's own, and any ``entrepot worker`` on the same queue)
compute them; the daily reports, which read every type of a day, follow as a second wave
of units. A unit job's result holds its days' outcomes: a day that fails is
a failed (type, day) with its error, and the other days and units go on. Incrementality is
the watermarks': a unit whose inputs did not change is skipped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from entrepot.city.kinds import REPORT, check_types
from entrepot.city.report_files import new_run_id
from entrepot.city.runs import Outcome, RunSummary

if TYPE_CHECKING:
    from entrepot.city.runtime import CityRuntime

#: The job kind of one (metric type, days) unit.
CITY_UNIT_KIND = "city-unit"
#: Days of traffic per unit: one scan of the counts export each.
TRAFFIC_DAYS = 31
#: The metric types by the time a unit of each takes (measured: ``bench/city.py fanout``).
_LONGEST_FIRST = ("traffic", "bikes", "roadworks", "weather", "disruptions")


@dataclass(frozen=True, slots=True)
class UnitState:
    """Where a unit job stands: ``queued``, ``running``, ``succeeded`` or ``failed``, with
    the outcome it returned or the error it failed with."""

    state: str
    result: Mapping[str, Any] | None
    error: str | None


#: ``submit([params, ...]) -> [job id, ...]``: record and send unit jobs.
Submit = Callable[[Sequence[Mapping[str, Any]]], list[str]]
#: ``poll([job id, ...]) -> {job id: UnitState}``.
Poll = Callable[[Sequence[str]], Mapping[str, UnitState]]


def unit_params(
    kind: str, days: Sequence[date], *, prefix: str, force: bool, memory_limit: str
) -> dict[str, Any]:
    """The parameters of one unit job (JSON)."""
    return {
        "type": kind,
        "days": [day.isoformat() for day in days],
        "prefix": prefix,
        "force": force,
        "memory_limit": memory_limit,
    }


def units(
    types: Iterable[str], days: Sequence[date], *, prefix: str, force: bool, memory_limit: str
) -> list[dict[str, Any]]:
    """The unit jobs of a backfill: a day each, traffic by runs of :data:`TRAFFIC_DAYS`;
    the longest first (traffic, then bikes), so that no worker is left alone with a long unit
    at the end while the others wait."""
    found = []
    for kind in sorted(check_types(types), key=_LONGEST_FIRST.index):
        size = TRAFFIC_DAYS if kind == "traffic" else 1
        for start in range(0, len(days), size):
            chunk = days[start : start + size]
            found.append(
                unit_params(kind, chunk, prefix=prefix, force=force, memory_limit=memory_limit)
            )
    return found


def run_unit(runtime: CityRuntime, params: Mapping[str, Any]) -> dict[str, Any]:
    """The unit job's work: compute one type (or the reports) over its days into the metrics
    store; the result lists each day's outcome (a failed day is an outcome, not a failed
    job)."""
    days = [date.fromisoformat(str(day)) for day in params["days"]]
    runner = runtime.runner(str(params.get("prefix", "")), memory_limit=str(params["memory_limit"]))
    force = bool(params.get("force"))
    if params["type"] == REPORT:
        summary = runner.run(days, (), force=force, report=True)
    else:
        kind = check_types([str(params["type"])])[0]
        summary = runner.run(days, [kind], force=force, report=False)
    return {
        "outcomes": [o.as_dict() for o in summary.outcomes],
        "failed": len(summary.failed),
    }


def fan_out(
    submit: Submit,
    poll: Poll,
    days: Iterable[date],
    types: Iterable[str],
    *,
    prefix: str = "",
    force: bool = False,
    report: bool = True,
    memory_limit: str,
    on_progress: Callable[[int, int], None] | None = None,
    poll_every: float = 0.5,
) -> RunSummary:
    """Send the metric units and wait for them; then, as a second wave, the daily reports
    (a report reads every type of its day), one unit a day."""
    ordered = sorted(set(days))
    waves = [units(types, ordered, prefix=prefix, force=force, memory_limit=memory_limit)]
    if report:
        waves.append(
            [
                unit_params(REPORT, [day], prefix=prefix, force=force, memory_limit=memory_limit)
                for day in ordered
            ]
        )
    total = sum(len(wave) for wave in waves)
    outcomes: list[Outcome] = []
    done = 0
    for wave in waves:
        ids = submit(wave)
        progress = None if on_progress is None else _offset(on_progress, done, total)
        states = _wait(ids, poll, progress, poll_every)
        outcomes += [
            outcome
            for unit, job_id in zip(wave, ids, strict=True)
            for outcome in _outcomes(unit, states[job_id])
        ]
        done += len(wave)
    return RunSummary(new_run_id(), tuple(outcomes))


def _offset(
    on_progress: Callable[[int, int], None], before: int, total: int
) -> Callable[[int, int], None]:
    return lambda done, _wave: on_progress(before + done, total)


def _wait(
    ids: Sequence[str],
    poll: Poll,
    on_progress: Callable[[int, int], None] | None,
    every: float,
) -> Mapping[str, UnitState]:
    while True:
        states = poll(ids)
        done = sum(s.state in ("succeeded", "failed") for s in states.values())
        if on_progress is not None:
            on_progress(done, len(ids))
        if done == len(ids):
            return states
        time.sleep(every)


def _outcomes(unit: Mapping[str, Any], state: UnitState) -> list[Outcome]:
    result = state.result or {}
    if state.state == "succeeded" and "outcomes" in result:
        return [
            Outcome(
                str(o["source"]),
                date.fromisoformat(str(o["date"])),
                o["status"],
                error=o.get("error"),
                sha256=o.get("sha256"),
                csv_key=o.get("csv_key"),
            )
            for o in result["outcomes"]
        ]
    error = state.error or "the unit job failed"
    kind = str(unit["type"])
    return [Outcome(kind, date.fromisoformat(str(d)), "failed", error=error) for d in unit["days"]]
