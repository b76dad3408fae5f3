"""A backfill fanned out on the job queue: one job per (metric type, day), traffic by month.

``entrepot city run --jobs`` records a unit job for each (type, day) — for traffic, each run
of up to :data:`TRAFFIC_DAYS` days, since every traffic unit scans the whole counts export
— sends them on the city queue (embedded SQLite, or Redis to share among machines), and
waits while workers (the command's own, and any ``entrepot worker`` on the same queue)
compute them. A day's report, which reads every type of its day, is sent as soon as that
day's metric units are finished (not as a second wave behind the slowest unit). A unit
job's result holds its days' outcomes: a day that fails is a failed (type, day) with its
error, and the other days and units go on. Incrementality is the watermarks': a unit whose
inputs did not change is skipped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from entrepot.city.kinds import REPORT, check_types
from entrepot.city.report_files import new_run_id
from entrepot.city.runs import Outcome, RunSummary
from entrepot.jobs.payloads import Payload

if TYPE_CHECKING:
    from entrepot.city.runs import CityRunner

#: The job kind of one (metric type, days) unit.
CITY_UNIT_KIND = "city-unit"
#: Days of traffic per unit: one scan of the counts export each.
TRAFFIC_DAYS = 31
#: The metric types by the time a unit of each takes (measured: ``bench/city.py fanout``).
_LONGEST_FIRST = ("traffic", "bikes", "roadworks", "weather", "disruptions")
#: The types whose units go first, every day of them: each unit takes seconds.
_LONG = frozenset({"traffic", "bikes"})
_FINISHED = frozenset({"succeeded", "failed"})


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


class Runners(Protocol):
    """What a unit job runs on: an incremental runner over the raw data under a prefix
    (the city service's)."""

    def runner(self, prefix: str = "", *, memory_limit: str = ...) -> CityRunner:
        """An incremental runner over the raw data under ``prefix``."""
        ...


@dataclass(frozen=True, slots=True)
class CityUnitPayload(Payload):
    """One unit job: compute ``type`` (a metric type, or the reports) over ``days``
    (ISO dates) from the lake under ``prefix``."""

    KIND = CITY_UNIT_KIND

    type: str
    days: list[str]
    memory_limit: str
    prefix: str = ""
    force: bool = False


def unit_params(
    kind: str, days: Sequence[date], *, prefix: str, force: bool, memory_limit: str
) -> dict[str, Any]:
    """The parameters of one unit job (JSON)."""
    days_text = [day.isoformat() for day in days]
    return CityUnitPayload(kind, days_text, memory_limit, prefix, force).to_params()


def units(
    types: Iterable[str], days: Sequence[date], *, prefix: str, force: bool, memory_limit: str
) -> list[dict[str, Any]]:
    """The unit jobs of a backfill: a day each, traffic by runs of :data:`TRAFFIC_DAYS`.

    The long types (traffic, then bikes) go first, so that no worker is left alone with a
    long unit at the end while the others wait; the short ones follow day by day, so that
    the days are finished one after the other and their reports can start early."""
    chosen = sorted(check_types(types), key=_LONGEST_FIRST.index)
    found = []
    for kind in (k for k in chosen if k in _LONG):
        size = TRAFFIC_DAYS if kind == "traffic" else 1
        for start in range(0, len(days), size):
            chunk = days[start : start + size]
            found.append(
                unit_params(kind, chunk, prefix=prefix, force=force, memory_limit=memory_limit)
            )
    for day in days:
        for kind in (k for k in chosen if k not in _LONG):
            found.append(
                unit_params(kind, [day], prefix=prefix, force=force, memory_limit=memory_limit)
            )
    return found


def run_unit(runners: Runners, params: Mapping[str, Any]) -> dict[str, Any]:
    """The unit job's work: compute one type (or the reports) over its days into the metrics
    store; the result lists each day's outcome (a failed day is an outcome, not a failed
    job)."""
    unit = CityUnitPayload.from_params(params)
    days = [date.fromisoformat(day) for day in unit.days]
    runner = runners.runner(unit.prefix, memory_limit=unit.memory_limit)
    if unit.type == REPORT:
        summary = runner.run(days, (), force=unit.force, report=True)
    else:
        kind = check_types([unit.type])[0]
        summary = runner.run(days, [kind], force=unit.force, report=False)
    return {
        "outcomes": [o.as_dict() for o in summary.outcomes],
        "failed": len(summary.failed),
        **({} if summary.bytes_read is None else {"bytes_read": summary.bytes_read}),
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
    poll_every: float = 0.25,
) -> RunSummary:
    """Send the metric units and wait for them; send a day's report (it reads every type of
    its day) once that day's metric units are finished, failed ones included.

    Only the units not yet finished are polled; the outcomes come in the order of the
    types (longest first), then the reports by day."""
    ordered = sorted(set(days))
    metric = units(types, ordered, prefix=prefix, force=force, memory_limit=memory_limit)
    reports = {
        day: unit_params(REPORT, [day], prefix=prefix, force=force, memory_limit=memory_limit)
        for day in ordered
        if report
    }
    sent = list(zip(metric, submit(metric), strict=True))
    inputs = _report_inputs(metric, [job_id for _, job_id in sent])
    total = len(metric) + len(reports)
    finished: dict[str, UnitState] = {}
    while True:
        unfinished = [job_id for _, job_id in sent if job_id not in finished]
        if unfinished:
            finished |= {i: s for i, s in poll(unfinished).items() if s.state in _FINISHED}
        ready = [day for day in reports if inputs.get(day, set()) <= finished.keys()]
        if ready:
            wave = [reports.pop(day) for day in ready]
            sent += zip(wave, submit(wave), strict=True)
        if on_progress is not None:
            on_progress(len(finished), total)
        if not reports and len(finished) == len(sent):
            break
        time.sleep(poll_every)
    units_sent = [unit for unit, _ in sent]
    outcomes = outcomes_of(units_sent, [finished[job_id] for _, job_id in sent])
    return RunSummary(new_run_id(), tuple(outcomes))


def outcomes_of(sent: Sequence[Mapping[str, Any]], states: Sequence[UnitState]) -> list[Outcome]:
    """Each unit's outcomes, its state beside it, in the order of the types (longest
    first), then the reports, by day."""
    outcomes = [o for unit, state in zip(sent, states, strict=True) for o in _outcomes(unit, state)]
    rank = {kind: index for index, kind in enumerate((*_LONGEST_FIRST, REPORT))}
    outcomes.sort(key=lambda o: (rank.get(o.source, len(rank)), o.day))
    return outcomes


def _report_inputs(metric: Sequence[Mapping[str, Any]], ids: Sequence[str]) -> dict[date, set[str]]:
    """The metric unit jobs each day's report waits for: those whose days include it."""
    found: dict[date, set[str]] = {}
    for unit, job_id in zip(metric, ids, strict=True):
        for day in unit["days"]:
            found.setdefault(date.fromisoformat(str(day)), set()).add(job_id)
    return found


def _day_or_none(text: object) -> date | None:
    return None if text is None else date.fromisoformat(str(text))


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
                input_missing_since=_day_or_none(o.get("input_missing_since")),
                said=o.get("said"),
            )
            for o in result["outcomes"]
        ]
    error = state.error or "the unit job failed"
    kind = str(unit["type"])
    return [Outcome(kind, date.fromisoformat(str(d)), "failed", error=error) for d in unit["days"]]
