"""The daily report: totals equal the metrics' sums, CSV and JSON hold the same content."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from entrepot.catalog.engine import make_engine
from entrepot.catalog.migrate import upgrade
from entrepot.city.errors import MissingInput, RawFormatError
from entrepot.city.generator import GenerateOptions, generate
from entrepot.city.kinds import METRIC_TYPES, REPORT
from entrepot.city.messages import MESSAGES, WORDS, Message
from entrepot.city.report import build_report, previous_week, week_over_week
from entrepot.city.report_csv import from_csv, to_csv
from entrepot.city.report_files import report_folder
from entrepot.city_service.service import CityService
from entrepot.storage.memory import MemoryStore

DAY, OTHER, WEEK_BEFORE = date(2025, 11, 4), date(2025, 11, 3), date(2025, 10, 28)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CityService]:
    store = MemoryStore("city-report")
    generate(
        store,
        GenerateOptions(start=WEEK_BEFORE, days=8, arcs=40, stations=12, counters=4, roadworks=40),
    )
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('report') / 'catalog.db'}")
    upgrade(engine)
    runtime = CityService(store, engine=engine)
    summary = runtime.runner().run([WEEK_BEFORE, OTHER, DAY])
    assert not summary.failed, summary.failed
    yield runtime
    engine.dispose()


def docs(env: CityService, day: date) -> dict[str, dict[str, Any]]:
    found = env.metrics.find(kinds=METRIC_TYPES, start=day, end=day)
    return {d.info.kind: d.document["metrics"] for d in found}


def test_summary_totals_equal_the_sums_of_the_metrics(env: CityService) -> None:
    summary = env.metrics.require(REPORT, DAY).document["summary"]
    m = docs(env, DAY)
    traffic, counters = m["traffic"], m["bikes"]["counters"]
    assert summary["traffic_vehicles"] > 0
    assert summary["traffic_vehicles"] == traffic["total_flow"]
    assert summary["traffic_vehicles"] == pytest.approx(
        sum(h["total_flow"] for h in traffic["hourly"])
    )
    assert summary["traffic_arcs"] == traffic["arcs"] == 40
    assert summary["lost_time_hours"] == traffic["lost_time_hours"]
    assert (
        summary["lost_time_hours"]
        == traffic["state_hours"]["Saturé"] + traffic["state_hours"]["Bloqué"]
    )
    assert summary["bike_counts"] > 0
    assert summary["bike_counts"] == counters["total_count"]
    assert summary["bike_counts"] == sum(c["total"] for c in counters["top_counters"])
    assert summary["active_roadworks"] == m["roadworks"]["active_works"] > 0
    assert summary["disruptions"] == m["disruptions"]["disruptions"] > 0
    assert summary["precipitation_mm"] == m["weather"]["precipitation_mm"]
    assert summary["bikes_available_mean"] == m["bikes"]["stations"]["bikes_available_mean"]


def test_top_lists_alerts_roadworks_and_weather(env: CityService) -> None:
    report = env.metrics.require(REPORT, DAY).document
    m = docs(env, DAY)
    assert [a["arc"] for a in report["top"]["arcs"]] == [
        a["arc"] for a in m["traffic"]["top_arcs"][:5]
    ]
    traffic_alerts = [a for a in report["alerts"] if a["source"] == "trafic"]
    assert len(traffic_alerts) == min(20, len(m["traffic"]["congestion_alerts"]))
    assert {a["level"] for a in report["alerts"]} <= {"alerte", "critique"}
    assert report["roadworks"]["active_works"] == m["roadworks"]["active_works"]
    assert report["weather"]["mobility_impact"] == m["weather"]["mobility_impact"]
    assert report["missing"] == []
    assert set(report["sources"]) == set(m)


def test_week_over_week_when_the_previous_week_exists(env: CityService) -> None:
    report = env.metrics.require(REPORT, DAY).document
    assert previous_week(DAY) == WEEK_BEFORE
    comparison = report["week_over_week"]
    assert comparison["previous_date"] == "2025-10-28"
    rows = {r["metric"]: r for r in comparison["changes"]}
    before = env.metrics.require(REPORT, WEEK_BEFORE).document["summary"]
    vehicles = rows["traffic_vehicles"]
    assert vehicles["previous"] == before["traffic_vehicles"]
    assert vehicles["change"] == pytest.approx(vehicles["current"] - vehicles["previous"], abs=0.05)
    assert env.metrics.require(REPORT, OTHER).document["week_over_week"] is None


def test_the_csv_holds_the_json_content(env: CityService) -> None:
    report = env.metrics.require(REPORT, DAY).document
    record, data = env.reports.read_latest(DAY)
    assert record.key == f"{report_folder(DAY)}report-{report['run']}.csv"
    assert record.kind == "city-report"
    assert from_csv(data) == report
    assert data.startswith("\ufeffsection;path;type;value\n".encode())
    assert "summary;/summary/traffic_vehicles;number;" in data.decode("utf-8")


def test_a_rebuilt_report_is_a_new_csv_and_the_latest_is_a_query(env: CityService) -> None:
    first, _ = env.reports.read_latest(OTHER)
    summary = env.runner().run([OTHER], ["weather"])
    assert [o.status for o in summary.outcomes] == ["skipped", "skipped"]
    summary = env.runner().run([OTHER], [], force=True)
    (outcome,) = summary.outcomes
    latest, data = env.reports.read_latest(OTHER)
    assert outcome.csv_key == latest.key != first.key
    assert env.store.exists(first.key)  # history is kept
    assert from_csv(data) == env.metrics.require(REPORT, OTHER).document


def test_no_metrics_no_report() -> None:
    with pytest.raises(MissingInput, match="no metrics are stored for 2025-11-04"):
        build_report(DAY, {}, None, run_id="r", sources={})


def test_week_over_week_skips_what_one_day_lacks() -> None:
    rows = week_over_week(
        {"disruptions": 12, "bike_counts": 5}, {"disruptions": 10, "bike_counts": 0}
    )
    assert rows == [
        {"metric": "bike_counts", "current": 5, "previous": 0, "change": 5, "change_pct": None},
        {"metric": "disruptions", "current": 12, "previous": 10, "change": 2, "change_pct": 20.0},
    ]


def test_csv_round_trip_is_exact() -> None:
    doc = {
        "a/b": {"~x": [1, 1.0, -2.5, 1e-7, True, False, None, "12", "", 'a;b\n"c"']},
        "empty": {"list": [], "map": {}},
        "nested": [[{"k": "é"}], []],
    }
    assert from_csv(to_csv(doc)) == doc
    assert from_csv(to_csv(doc))["a/b"]["~x"][1].__class__ is float


def test_a_foreign_csv_is_refused() -> None:
    with pytest.raises(RawFormatError, match="not a city report CSV"):
        from_csv(b"a;b\n1;2\n")
    with pytest.raises(RawFormatError, match="has no parent row"):
        from_csv(b"section;path;type;value\nx;/x/y;integer;1\n")


def _messages(value: Any) -> list[dict[str, Any]]:
    """Every stored message (``{"key", "params"}``) in a document, nested ones too."""
    if isinstance(value, dict):
        own = [value] if set(value) == {"key", "params"} else []
        return own + [m for item in value.values() for m in _messages(item)]
    if isinstance(value, list):
        return [m for item in value for m in _messages(item)]
    return []


def test_the_documents_hold_only_keys_and_codes_both_catalogs_know(env: CityService) -> None:
    report = env.metrics.require(REPORT, DAY).document
    documents = [report, *docs(env, DAY).values()]
    stored = [m for document in documents for m in _messages(document)]
    assert {m["key"] for m in stored} >= {"city.alert.congestion", "city.place.arrondissement"}
    for message in stored:
        assert set(message["params"]) == MESSAGES[message["key"]], message
    for alert in report["alerts"]:
        assert alert["source_code"] in WORDS["source"] and alert["level_code"] in WORDS["level"]
        assert Message.from_json(alert["subject_message"]) is not None
        assert alert["detail_messages"] and isinstance(alert["detail"], str)
    assert report["summary"]["weather_impact_code"] in WORDS["impact"]
