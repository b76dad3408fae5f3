"""A computed result is never deleted because its input went missing (issue 26): the raw
lake left behind on a move, a counts export replaced by one without the day. The stored
documents and reports stay, marked "input missing since", and are recomputed only when an
input changes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from entrepot.city import kept, layout
from entrepot.city.generator import generate
from entrepot.city.kinds import METRIC_TYPES, REPORT
from entrepot.city.pipeline import DayProcessor
from entrepot.city.runs import RunSummary
from entrepot.city_service.service import CityService
from entrepot.storage.memory import MemoryStore
from tests.support.catalog import sqlite_engine
from tests.support.city_runs import D1, D2, SMALL, copy_store

NOTICED = date(2026, 1, 15)
LATER = date(2026, 2, 1)


@pytest.fixture(scope="module")
def golden() -> MemoryStore:
    store = MemoryStore("city-golden-kept")
    generate(store, SMALL)
    return store


@pytest.fixture
def catalog(tmp_path: Path) -> Iterator[Engine]:
    yield from sqlite_engine(tmp_path)


@pytest.fixture
def store(golden: MemoryStore) -> MemoryStore:
    return copy_store(golden)


@pytest.fixture
def env(store: MemoryStore, catalog: Engine) -> CityService:
    return CityService(store, engine=catalog)


def run(env: CityService, today: date = NOTICED, **options: Any) -> RunSummary:
    runner = env.runner()
    runner.today = lambda: today
    return runner.run([D1, D2], **options)


def statuses(summary: RunSummary) -> dict[tuple[str, date], str]:
    return {(o.source, o.day): o.status for o in summary.outcomes}


def served(env: CityService) -> dict[tuple[str, date], dict[str, Any]]:
    """Every stored document without what marks it kept: its warnings (texts and
    messages), and the report's
    run and the sha256 of the metrics it was built from (the figures are all there)."""
    found = {}
    for source in (*METRIC_TYPES, REPORT):
        for day in (D1, D2):
            document = dict(env.metrics.require(source, day).document)
            document.pop(kept.FIELD, None)
            document.pop("warnings", None)
            document.pop("warning_messages", None)
            document.pop("run", None)
            document.pop("sources", None)
            found[(source, day)] = document
    return found


def test_a_lost_raw_lake_keeps_every_metric_and_report(
    env: CityService, store: MemoryStore
) -> None:
    run(env)
    before = served(env)
    store.delete_prefix("raw/")

    summary = run(env)
    assert not summary.failed and summary.count("no-data") == 0
    result = statuses(summary)
    assert {result[(kind, day)] for kind in METRIC_TYPES for day in (D1, D2)} == {"kept"}
    assert summary.input_missing == {kind: 2 for kind in METRIC_TYPES}
    assert served(env) == before  # the same figures, served as before
    weather = env.metrics.require("weather", D2).document
    assert kept.missing_since(weather) == NOTICED
    assert any(w.startswith("input missing since 2026-01-15") for w in weather["warnings"])
    report = env.metrics.require(REPORT, D2).document
    assert any("input missing since 2026-01-15" in w for w in report["warnings"])
    outcome = next(o for o in summary.outcomes if o.source == "weather" and o.day == D2)
    assert outcome.input_missing_since == NOTICED
    assert summary.as_dict()["kept"] == 2 * len(METRIC_TYPES)
    assert env.watermarks.find(state="failed") == []

    stored = {(k, d): env.metrics.require(k, d).info.sha256 for k, d in before}
    again = run(env, today=LATER)  # still missing: nothing is rewritten, the date stays
    assert {s for (k, _), s in statuses(again).items() if k != REPORT} == {"kept"}
    assert {s for (k, _), s in statuses(again).items() if k == REPORT} == {"skipped"}
    assert {(k, d): env.metrics.require(k, d).info.sha256 for k, d in before} == stored
    assert kept.missing_since(env.metrics.require("weather", D2).document) == NOTICED


def test_inputs_that_come_back_are_recomputed_and_unmarked(
    env: CityService, store: MemoryStore, golden: MemoryStore
) -> None:
    run(env)
    original = env.metrics.require("weather", D2).document
    store.delete_prefix("raw/")
    run(env)
    for info in golden.list("raw/"):
        store.put(info.key, golden.get(info.key))
    summary = run(env, today=LATER)
    assert statuses(summary)[("weather", D2)] == "computed"
    assert summary.input_missing == {}
    assert env.metrics.require("weather", D2).document == original


def test_a_replaced_counts_export_without_the_day_keeps_its_traffic(
    env: CityService, store: MemoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(env, types=["traffic"], report=False)
    before = env.metrics.require("traffic", D1).document
    counts = layout.batch_key(layout.COUNTS_CSV)  # replaced, as a later `city generate` does
    lines = store.get(counts).decode("utf-8").splitlines(keepends=True)
    gone = (D1.isoformat(), f"{D2.isoformat()}T00:00")  # a count at 00:00 ends the day before
    store.put(
        counts,
        "".join(line for line in lines if all(g not in line for g in gone)).encode(),
    )

    summary = run(env, types=["traffic"], report=False)
    assert statuses(summary) == {("traffic", D1): "kept", ("traffic", D2): "computed"}
    kept_doc = env.metrics.require("traffic", D1).document
    assert kept_doc["metrics"] == before["metrics"]
    assert kept.missing_since(kept_doc) == NOTICED

    def no_scan(self: DayProcessor, days: list[date]) -> None:
        raise AssertionError(f"recomputed {days} though no input changed")

    monkeypatch.setattr(DayProcessor, "traffic_days", no_scan)
    again = run(env, today=LATER, types=["traffic"], report=False)
    assert statuses(again) == {("traffic", D1): "kept", ("traffic", D2): "skipped"}
    (said,) = [o for o in again.outcomes if o.status == "kept"]
    assert said.input_missing_since == NOTICED and "input missing since" in (said.error or "")


def test_a_day_never_computed_is_still_no_data(env: CityService, store: MemoryStore) -> None:
    store.delete_prefix(layout.source_prefix("weather"))
    summary = run(env, types=["weather"], report=False)
    assert set(statuses(summary).values()) == {"no-data"}
    assert env.metrics.get("weather", D1) is None
