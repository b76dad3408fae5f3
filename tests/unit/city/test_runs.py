"""Incremental runs: watermarks, only changed days recomputed, bad days isolated."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import NoReturn

import pytest
from sqlalchemy import Engine

from entrepot.city import layout
from entrepot.city.freshness import inputs_digest
from entrepot.city.generator import generate
from entrepot.city.kinds import METRIC_TYPES, REPORT
from entrepot.city.pipeline import DayProcessor
from entrepot.city.runs import RunSummary
from entrepot.city_service.service import CityService
from entrepot.errors import StoreUnavailable
from entrepot.storage.memory import MemoryStore
from tests.support.catalog import sqlite_engine
from tests.support.city_runs import D1, D2, SMALL, copy_store


@pytest.fixture(scope="module")
def golden() -> MemoryStore:
    store = MemoryStore("city-golden")
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


def statuses(summary: RunSummary) -> dict[tuple[str, date], str]:
    return {(o.source, o.day): o.status for o in summary.outcomes}


def first_key(store: MemoryStore, source: str, day: date, hour: int) -> str:
    return next(i.key for i in store.list(layout.hour_prefix(source, day, hour)))


def test_a_first_run_computes_everything_then_nothing_changes(env: CityService) -> None:
    first = env.runner().run([D1, D2])
    assert first.count("computed") == 2 * (len(METRIC_TYPES) + 1)
    assert first.count("failed") == 0
    stored = env.metrics.require("weather", D2)
    expected = DayProcessor(env.lake()).run(D2, ["weather"])["weather"]
    assert stored.document == expected
    marks = env.watermarks.many("weather", [D1, D2])
    assert marks[D2].state == "ok"
    assert marks[D2].output_sha256 == stored.info.sha256
    assert len(marks[D2].inputs) == 24
    assert marks[D2].inputs_digest == inputs_digest(env.runner().inputs("weather", D2))

    second = env.runner().run([D1, D2])
    assert second.count("skipped") == len(second.outcomes)
    assert env.metrics.count(start=D1, end=D2) == 2 * (len(METRIC_TYPES) + 1)


def test_a_run_reports_its_outcomes_done_of_their_total(
    env: CityService, store: MemoryStore, catalog: Engine
) -> None:
    reports: list[tuple[int, int]] = []
    runtime = CityService(store, engine=catalog)
    summary = runtime.runner(on_progress=lambda *r: reports.append(r)).run([D1, D2])
    total = 2 * (len(METRIC_TYPES) + 1)  # every type and the report, on each of two days
    assert len(summary.outcomes) == total
    assert reports == [(done, total) for done in range(total + 1)]


def test_only_the_changed_partition_is_recomputed(env: CityService, store: MemoryStore) -> None:
    env.runner().run([D1, D2])
    before = env.metrics.require("weather", D2)
    key = first_key(store, "weather", D2, 14)
    store.put(key, store.get(key).replace(b'"temperature_2m":[', b'"temperature_2m":[ ', 1))
    summary = env.runner().run([D1, D2])
    changed = {k for k, s in statuses(summary).items() if s == "computed"}
    assert changed == {("weather", D2), (REPORT, D2)}
    after = env.metrics.require("weather", D2)
    assert after.document["metrics"] == before.document["metrics"]  # same values...
    assert after.document["inputs"] != before.document["inputs"]  # ...from a new input version
    assert after.info.updated_at > before.info.updated_at


def test_a_new_hour_recomputes_its_day(env: CityService, store: MemoryStore) -> None:
    saved = {i.key: store.get(i.key) for i in store.list(layout.hour_prefix("bikes", D1, 23))}
    assert len(saved) == 2  # Vélib' stations and bike counters
    for key in saved:
        store.delete(key)
    env.runner().run([D1, D2], ["bikes"], report=False)
    warned = env.metrics.require("bikes", D1).document["warnings"]
    assert any("no data for hour(s) 23" in w for w in warned)
    for key, data in saved.items():
        store.put(key, data)
    summary = env.runner().run([D1, D2], ["bikes"], report=False)
    assert statuses(summary) == {("bikes", D1): "computed", ("bikes", D2): "skipped"}
    assert not any("hour(s) 23" in w for w in env.metrics.require("bikes", D1).document["warnings"])


def test_a_truncated_file_fails_its_day_only(env: CityService, store: MemoryStore) -> None:
    env.runner().run([D1, D2], ["bikes", "weather"])
    key = first_key(store, "bikes", D2, 5)
    good = store.get(key)
    store.put(key, good[: len(good) // 2])
    summary = env.runner().run([D1, D2], ["bikes", "weather"])
    result = statuses(summary)
    assert result[("bikes", D2)] == "failed"
    assert result[("bikes", D1)] == result[("weather", D2)] == "skipped"
    failure = summary.failed[0]
    assert "truncated JSON" in (failure.error or "") and key in (failure.error or "")
    mark = env.watermarks.get("bikes", D2)
    assert mark is not None and mark.state == "failed" and key in (mark.error or "")
    assert env.metrics.get("bikes", D2) is None  # no stale document passes for current
    assert env.metrics.get("bikes", D1) is not None
    assert result[(REPORT, D2)] == "computed"
    missing = env.metrics.require(REPORT, D2).document["missing"]
    assert "bikes" in missing and "weather" not in missing

    store.put(key, good)
    healed = statuses(env.runner().run([D1, D2], ["bikes", "weather"]))
    assert healed[("bikes", D2)] == "computed"
    assert env.watermarks.get("bikes", D2).state == "ok"  # type: ignore[union-attr]


def test_a_malformed_partition_path_fails_its_day_only(
    env: CityService, store: MemoryStore
) -> None:
    bad = f"{layout.day_prefix('weather', D2)}hour=xx/weather_data.json"
    store.put(bad, b"{}")
    summary = env.runner().run([D1, D2], ["weather"], report=False)
    assert statuses(summary) == {("weather", D1): "computed", ("weather", D2): "failed"}
    assert bad in (summary.failed[0].error or "")
    assert "hour=HH" in (summary.failed[0].error or "")


def test_without_a_referentiel_every_type_is_computed_with_a_warning(
    env: CityService, store: MemoryStore
) -> None:
    store.delete(layout.batch_key(layout.REFERENTIEL_CSV))
    summary = env.runner().run([D2])
    assert set(statuses(summary).values()) == {"computed"}
    traffic = env.metrics.require("traffic", D2).document
    assert any("arcs not placed" in w for w in traffic["warnings"])
    assert traffic["metrics"]["arcs_without_referentiel"] == SMALL.arcs


def test_absent_sources_are_no_data_not_failures(env: CityService, store: MemoryStore) -> None:
    bad = f"{layout.day_prefix('weather', D2)}hour=xx/weather_data.json"
    store.put(bad, b"{}")
    assert env.runner().run([D2], ["weather"], report=False).failed  # an earlier failure
    for source in ("bikes", "weather", "traffic"):
        store.delete_prefix(layout.source_prefix(source))
    store.delete(layout.batch_key(layout.ROADWORKS_CSV))
    summary = env.runner().run([D1, D2])
    result = statuses(summary)
    assert not summary.failed
    assert result[("traffic", D2)] == result[("report", D2)] == "computed"
    assert summary.absent == {"bikes": 2, "disruptions": 2, "weather": 2, "roadworks": 2}
    reason = next(o.error for o in summary.outcomes if o.source == "weather")
    assert reason == f"no weather data for {D1} [key 'raw/api/weather/dt={D1}/']"
    assert env.metrics.require(REPORT, D2).document["missing"] == [
        "bikes", "disruptions", "weather", "roadworks",
    ]  # fmt: skip
    assert env.watermarks.find(state="failed") == []  # the weather failure is forgotten


def test_a_counts_csv_with_the_wrong_separator_fails_every_traffic_day(
    env: CityService, store: MemoryStore
) -> None:
    key = layout.batch_key(layout.COUNTS_CSV)
    store.put(key, store.get(key).replace(b";", b"\t"))
    summary = env.runner().run([D1, D2], ["traffic", "weather"], report=False)
    result = statuses(summary)
    assert result[("traffic", D1)] == result[("traffic", D2)] == "failed"
    assert result[("weather", D1)] == "computed"
    assert "'\\t'-separated" in (summary.failed[0].error or "")


def test_a_counts_csv_in_latin1_is_named(env: CityService, store: MemoryStore) -> None:
    key = layout.batch_key(layout.COUNTS_CSV)
    text = store.get(key).decode("utf-8").removeprefix("\ufeff")
    store.put(key, text.encode("latin-1", errors="replace"))
    summary = env.runner().run([D2], ["traffic"], report=False)
    assert summary.failed and "not UTF-8" in (summary.failed[0].error or "")


def test_force_recomputes_and_replaces_idempotently(env: CityService) -> None:
    first = env.runner().run([D2], ["weather", "traffic"], report=False)
    again = env.runner().run([D2], ["weather", "traffic"], force=True, report=False)
    assert again.count("computed") == 2
    assert [o.sha256 for o in again.outcomes] == [o.sha256 for o in first.outcomes]
    assert env.metrics.count() == 2


def test_the_traffic_days_of_a_run_share_one_scan(env: CityService) -> None:
    processor = DayProcessor(env.lake())
    together = processor.traffic_days([D1, D2])
    assert together[D1] == processor.traffic(D1)
    assert together[D2] == processor.traffic(D2)
    outside = processor.traffic_days([date(2024, 1, 1)])[date(2024, 1, 1)]
    assert isinstance(outside, Exception) and "no rows for 2024-01-01" in str(outside)


def test_an_unavailable_store_stops_the_run(env: CityService, store: MemoryStore) -> None:
    env.runner().run([D1], ["weather"], report=False)

    def down(prefix: str = "") -> NoReturn:
        raise StoreUnavailable("disk gone", store="memory://test")

    store.list = down  # type: ignore[method-assign]
    with pytest.raises(StoreUnavailable):
        env.runner().run([D1, D2], ["weather"], report=False)
    assert env.watermarks.get("weather", D1).state == "ok"  # type: ignore[union-attr]
    assert env.watermarks.get("weather", D2) is None


def test_a_bug_is_recorded_as_an_internal_error(
    env: CityService, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: DayProcessor, day: date) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(DayProcessor, "weather", broken)
    summary = env.runner().run([D2], ["weather", "disruptions"], report=False)
    assert statuses(summary) == {("weather", D2): "failed", ("disruptions", D2): "computed"}
    assert summary.failed[0].error == "internal error (ZeroDivisionError): division by zero"


def test_watermark_summary(env: CityService, store: MemoryStore) -> None:
    key = first_key(store, "weather", D2, 3)
    store.put(key, b"{")
    env.runner().run([D1, D2], ["weather"], report=False)
    (summary,) = env.watermarks.summary()
    assert (summary.source, summary.ok, summary.failed) == ("weather", 1, 1)
    assert (summary.first_day, summary.last_day) == (D1, D2)
    (failed,) = env.watermarks.find(state="failed")
    assert failed.day == D2 and key in (failed.error or "")


def test_long_traffic_ranges_are_scanned_in_chunks_with_the_same_result(
    env: CityService, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = env.runner().run([D1, D2], ["traffic"], report=False)
    monkeypatch.setattr("entrepot.city.runs.TRAFFIC_CHUNK_DAYS", 1)
    chunked = env.runner().run([D1, D2], ["traffic"], force=True, report=False)
    assert [o.sha256 for o in chunked.outcomes] == [o.sha256 for o in whole.outcomes]
    assert chunked.count("computed") == 2
