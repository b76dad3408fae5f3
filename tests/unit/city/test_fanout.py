"""A backfill's units on the job queue: their order, the reports sent as soon as their day
is done (no second wave), one unit's failure isolated, only unfinished units polled."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from entrepot.bootstrap import bootstrap
from entrepot.city.fanout import UnitState, fan_out, units
from entrepot.city.kinds import METRIC_TYPES, REPORT
from entrepot.city.limits import DEFAULT_SCAN_THREADS
from entrepot.cli.city.fanout import worker_environment
from entrepot.config import Settings
from entrepot.storage.memory import MemoryStore

DAYS = [date(2025, 11, 3) + timedelta(days=i) for i in range(4)]


class OneWorkerQueue:
    """A queue worked in order, one unit finished per poll; records what it was asked."""

    def __init__(self, fail: tuple[str, date] | None = None) -> None:
        self.units: dict[str, Mapping[str, Any]] = {}
        self.order: list[str] = []
        self.done: dict[str, UnitState] = {}
        self.fail = fail
        self.polled: list[tuple[list[str], set[str]]] = []  # (asked, answered finished)
        self.reports_sent: list[tuple[date, int]] = []  # (day, metric units still to run)

    def submit(self, batch: Sequence[Mapping[str, Any]]) -> list[str]:
        ids = []
        for unit in batch:
            job_id = f"job-{len(self.units)}"
            self.units[job_id] = unit
            self.order.append(job_id)
            ids.append(job_id)
            if unit["type"] == REPORT:
                day = date.fromisoformat(unit["days"][0])
                self.reports_sent.append((day, len(self._metric_left())))
                for other, params in self.units.items():  # its day's metrics all done
                    if params["type"] != REPORT and unit["days"][0] in params["days"]:
                        assert other in self.done
        return ids

    def poll(self, ids: Sequence[str]) -> dict[str, UnitState]:
        waiting = [job_id for job_id in self.order if job_id not in self.done]
        if waiting:
            self.done[waiting[0]] = self._run(self.units[waiting[0]])
        self.polled.append((list(ids), {job_id for job_id in ids if job_id in self.done}))
        queued = UnitState("queued", None, None)
        return {job_id: self.done.get(job_id, queued) for job_id in ids}

    def _metric_left(self) -> list[str]:
        return [i for i, u in self.units.items() if u["type"] != REPORT and i not in self.done]

    def _run(self, unit: Mapping[str, Any]) -> UnitState:
        days = [date.fromisoformat(d) for d in unit["days"]]
        if self.fail is not None and (unit["type"], days) == (self.fail[0], [self.fail[1]]):
            return UnitState("failed", None, "boom")
        source = unit["type"]
        outcomes = [{"source": source, "date": d.isoformat(), "status": "computed"} for d in days]
        return UnitState("succeeded", {"outcomes": outcomes}, None)


def run(queue: OneWorkerQueue, **options: Any) -> Any:
    return fan_out(
        queue.submit, queue.poll, DAYS, METRIC_TYPES, memory_limit="64MB", poll_every=0, **options
    )


def test_long_types_go_first_then_the_short_ones_day_by_day() -> None:
    found = [(u["type"], u["days"]) for u in units(METRIC_TYPES, DAYS[:2], **_OPTIONS)]
    first, second = DAYS[0].isoformat(), DAYS[1].isoformat()
    assert found == [
        ("traffic", [first, second]),
        ("bikes", [first]),
        ("bikes", [second]),
        ("roadworks", [first]),
        ("weather", [first]),
        ("disruptions", [first]),
        ("roadworks", [second]),
        ("weather", [second]),
        ("disruptions", [second]),
    ]


_OPTIONS: dict[str, Any] = {"prefix": "", "force": False, "memory_limit": "64MB"}


def test_a_report_starts_once_its_day_is_done_while_other_days_still_run() -> None:
    queue = OneWorkerQueue()
    summary = run(queue)
    assert [day for day, _ in queue.reports_sent] == DAYS  # each once, in day order
    first_day_left = queue.reports_sent[0][1]
    assert first_day_left == 3 * (len(DAYS) - 1)  # the other days' short units still queued
    assert len(summary.outcomes) == 5 * len(DAYS) + len(DAYS)
    assert {o.status for o in summary.outcomes} == {"computed"}


def test_outcomes_come_by_type_longest_first_then_the_reports_by_day() -> None:
    summary = run(OneWorkerQueue())
    order = ["traffic", "bikes", "roadworks", "weather", "disruptions", REPORT]
    expected = [(kind, day) for kind in order for day in DAYS]
    assert [(o.source, o.day) for o in summary.outcomes] == expected


def test_a_failed_unit_fails_its_day_only_and_its_report_still_runs() -> None:
    queue = OneWorkerQueue(fail=("weather", DAYS[1]))
    summary = run(queue)
    failed = [(o.source, o.day, o.error) for o in summary.outcomes if o.status == "failed"]
    assert failed == [("weather", DAYS[1], "boom")]
    assert sum(o.status == "computed" for o in summary.outcomes) == 6 * len(DAYS) - 1
    assert DAYS[1] in [day for day, _ in queue.reports_sent]


def test_a_unit_is_not_polled_again_once_finished() -> None:
    queue = OneWorkerQueue()
    run(queue)
    seen_done: set[str] = set()
    for asked, finished in queue.polled:
        assert not seen_done & set(asked)
        seen_done |= finished
    assert seen_done == set(queue.units)


def test_without_reports_only_the_metric_units_are_sent() -> None:
    queue = OneWorkerQueue()
    summary = run(queue, report=False)
    assert queue.reports_sent == []
    assert {o.source for o in summary.outcomes} == set(METRIC_TYPES)


@pytest.mark.parametrize(
    ("cores", "workers", "threads"),
    [(2, 1, "2"), (2, 2, "1"), (1, 2, "1"), (8, 2, "2"), (8, 8, "1")],
)
def test_local_workers_get_their_share_of_the_cores_for_the_scan(
    monkeypatch: pytest.MonkeyPatch, cores: int, workers: int, threads: str
) -> None:
    # a default of two threads (ADR 0028's): each worker gets at most its share
    monkeypatch.setattr("entrepot.city.limits.DEFAULT_SCAN_THREADS", 2)
    monkeypatch.setattr("os.cpu_count", lambda: cores)
    env = worker_environment(workers, {"PATH": "/bin"})
    assert env == {"PATH": "/bin", "ENTREPOT_CITY_SCAN_THREADS": threads}


@pytest.mark.parametrize(("cores", "workers"), [(2, 1), (2, 2), (8, 2), (16, 1)])
def test_local_workers_keep_the_one_thread_default_whatever_the_cores(
    monkeypatch: pytest.MonkeyPatch, cores: int, workers: int
) -> None:
    # ADR 0138: one thread by default, never raised to a worker's share of the cores
    monkeypatch.setattr("os.cpu_count", lambda: cores)
    env = worker_environment(workers, {"PATH": "/bin"})
    assert env == {"PATH": "/bin", "ENTREPOT_CITY_SCAN_THREADS": "1"}


def test_a_scan_thread_count_the_user_set_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    given = {"ENTREPOT_CITY_SCAN_THREADS": "2"}
    assert worker_environment(2, given, configured=True) == given
    assert worker_environment(2, {}, configured=True) == {}  # set in .env: left to Settings


def test_the_scan_threads_setting_reaches_the_day_processor(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'c.db'}", city_scan_threads=3)
    for threads, app in (
        (3, bootstrap(settings, store=MemoryStore())),
        (
            DEFAULT_SCAN_THREADS,  # the setting's default is the engine's (ADR 0138)
            bootstrap(Settings(database_url=f"sqlite:///{tmp_path / 'd.db'}"), store=MemoryStore()),
        ),
    ):
        app.catalog.migrate()
        assert app.city.runner().processor.threads == threads
