"""A spread backfill's reports wait for their own day's units alone (issue 40 item 1: each
day's report sent as soon as that day's metrics are back): which units a report waits for,
and the same outcomes from a pool that runs each item as soon as it may, in any order, as
from the two waves of a plain pool."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from entrepot.city.fanout import unit_params, units
from entrepot.city.kinds import METRIC_TYPES, REPORT
from entrepot.city.spread import report_waits, spread_run
from entrepot.pools import WaitingPool, run_here

DAYS = [date(2025, 10, 1) + timedelta(days=i) for i in range(40)]
TYPES = list(METRIC_TYPES)


def _unit(shared: Any, params: Mapping[str, Any]) -> dict[str, Any]:
    """A unit's result as ``run_unit`` gives it: each of its days computed."""
    outcomes = [
        {
            "source": params["type"],
            "date": day,
            "status": "computed",
            "sha256": f"{params['type']}-{day}",
        }
        for day in params["days"]
    ]
    return {"outcomes": outcomes, "bytes_read": 10 * len(params["days"])}


class _Waves:
    """A plain pool: each call's items in order, here."""

    def run(self, task: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any]) -> list[Any]:
        return run_here(task, shared, items)


class _AsSoonAsMay(_Waves):
    """A waiting pool that runs, at each step, a random item whose waits are all done."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.after: list[list[int]] = []
        self.order: list[int] = []

    def run_after(
        self,
        task: Callable[[Any, Any], Any],
        shared: Any,
        items: Sequence[Any],
        after: Sequence[Sequence[int]],
        on_done: Callable[[int], None] | None = None,
    ) -> list[Any]:
        self.after = [list(a) for a in after]
        found: dict[int, Any] = {}
        while len(found) < len(items):
            ready = [i for i in range(len(items)) if i not in found and set(after[i]) <= set(found)]
            i = self.rng.choice(ready)
            found[i] = task(shared, items[i])
            self.order.append(i)
            if on_done is not None:
                on_done(len(found))
        return [found[i] for i in range(len(items))]


def _teller(told: list[tuple[int, int]]) -> Callable[[int, int], None]:
    return lambda done, total: told.append((done, total))


def test_a_report_waits_for_the_units_that_hold_its_day_and_no_other() -> None:
    metric = units(TYPES, DAYS, prefix="", force=False, memory_limit="1GB")
    reports = [unit_params(REPORT, [d], prefix="", force=False, memory_limit="1GB") for d in DAYS]
    waits = report_waits(metric, reports)
    for day, waited in zip(DAYS, waits, strict=True):
        held = [unit for unit in metric if day.isoformat() in unit["days"]]
        assert [metric[i] for i in waited] == held
        assert sorted(unit["type"] for unit in held) == sorted(TYPES)  # one unit a type
    # the first day's report waits for the first 31 days' traffic, not for the last days'
    traffic = [i for i, unit in enumerate(metric) if unit["type"] == "traffic"]
    assert traffic[0] in waits[0] and traffic[1] not in waits[0]


def test_reports_as_soon_as_they_may_give_the_outcomes_of_two_waves() -> None:
    waves = spread_run(_Waves(), _unit, None, DAYS, TYPES, memory_limit="1GB")
    for seed in range(3):
        pool = _AsSoonAsMay(seed)
        assert isinstance(pool, WaitingPool)
        told: list[tuple[int, int]] = []
        early = spread_run(
            pool, _unit, None, DAYS, TYPES, memory_limit="1GB", on_progress=_teller(told)
        )
        assert early.outcomes == waves.outcomes
        assert early.bytes_read == waves.bytes_read
        first_report = min(pool.order.index(i) for i, a in enumerate(pool.after) if a)
        assert first_report < len(pool.order) - len(DAYS)  # a report before the last metrics
        assert told[0] == (0, len(pool.order)) and told[-1] == (len(pool.order),) * 2
