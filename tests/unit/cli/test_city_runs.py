"""``entrepot city run | status | metrics | report | copy-metrics`` through Typer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from entrepot.catalog.engine import make_engine
from entrepot.city import layout
from entrepot.city.errors import CityError, MetricsNotFound, MigrationMismatch, RunFailed
from entrepot.city.generator import GenerateOptions, generate
from entrepot.city.metrics import open_metrics
from entrepot.city.report_csv import from_csv
from entrepot.city_service.days import run_days, yesterday
from entrepot.city_service.service import CityService
from entrepot.cli.city.commands import city_app
from entrepot.errors import ConfigError, InvalidArgument, NotMigrated
from entrepot.storage.memory import MemoryStore
from tests.support.apps import city_app_over
from tests.support.catalog import sqlite_engine
from tests.support.cli import migrated_cli

D1, D2 = date(2025, 11, 3), date(2025, 11, 4)
OPTIONS = GenerateOptions(start=D1, days=2, arcs=20, stations=8, counters=3, roadworks=15)


@pytest.fixture
def catalog(tmp_path: Path) -> Iterator[Engine]:
    yield from sqlite_engine(tmp_path)


@pytest.fixture
def store() -> MemoryStore:
    store = MemoryStore("cli-runs")
    generate(store.scoped("city"), OPTIONS)
    return store


@pytest.fixture
def env(store: MemoryStore, catalog: Engine) -> CityService:
    return CityService(store, engine=catalog)


def invoke(env: CityService, *args: str) -> tuple[int, str, str, BaseException | None]:
    result = CliRunner().invoke(city_app, list(args), obj=city_app_over(env))
    error = result.exception if not isinstance(result.exception, SystemExit) else None
    return result.exit_code, result.stdout, result.stderr, error


def test_run_then_print_metrics_and_report(env: CityService) -> None:
    code, out, err, error = invoke(
        env, "run", "--since", "2025-11-03", "--until", "2025-11-04", "--prefix", "city", "--json"
    )
    assert (code, error) == (0, None), err
    summary = json.loads(out)
    assert (summary["computed"], summary["failed"]) == (12, 0)
    assert "✓ traffic 2025-11-04 computed" in err
    assert summary["bytes_read"] > 0  # counted in the store under the prefix

    code, out, _, _ = invoke(env, "run", "--date", "2025-11-04", "--prefix", "city", "--json")
    assert json.loads(out)["skipped"] == 6
    assert json.loads(out)["bytes_read"] == 0  # nothing changed: listings only

    code, out, _, _ = invoke(env, "metrics", "traffic", "2025-11-04")
    assert code == 0
    assert json.loads(out) == env.metrics.require("traffic", D2).document
    assert json.loads(out)["metrics"]["arcs"] == 20

    code, out, _, _ = invoke(env, "report", "2025-11-04")
    report = json.loads(out)
    assert report["type"] == "report" and report["summary"]["traffic_arcs"] == 20

    code, out, _, _ = invoke(env, "report", "2025-11-04", "--csv")
    assert code == 0
    assert from_csv(out.encode()) == report

    code, out, _, _ = invoke(env, "status", "--source", "traffic", "--json")
    marks = json.loads(out)
    assert [(m["date"], m["state"]) for m in marks] == [("2025-11-03", "ok"), ("2025-11-04", "ok")]


def test_a_failed_day_is_reported_and_exits_non_zero(env: CityService, store: MemoryStore) -> None:
    bad = next(store.list(f"city/{layout.hour_prefix('weather', D1, 7)}")).key
    store.put(bad, b'{"hourly": {"time": [')
    _code, out, _, error = invoke(
        env,
        "run",
        "--since",
        "2025-11-03",
        "--until",
        "2025-11-04",
        "--prefix",
        "city",
        "--type",
        "weather",
        "--no-report",
        "--json",
    )
    assert isinstance(error, RunFailed)
    assert "1 of 2 (type, day) failed" in str(error) and "weather 2025-11-03" in str(error)
    summary = json.loads(out)
    assert (summary["computed"], summary["failed"]) == (1, 1)
    _, out, _, _ = invoke(env, "status", "--failed", "--json")
    (failed,) = json.loads(out)
    assert failed["source"] == "weather" and bad.removeprefix("city/") in failed["error"]


def test_missing_results_are_named(env: CityService) -> None:
    _, _, _, error = invoke(env, "metrics", "weather", "2025-11-04")
    assert isinstance(error, MetricsNotFound)
    assert "entrepot city run --date" in str(error)
    _, _, _, error = invoke(env, "report", "2025-11-04", "--csv")
    assert isinstance(error, MetricsNotFound)
    _, _, _, error = invoke(env, "metrics", "trains", "2025-11-04")
    assert isinstance(
        error, CityError
    ) and "unknown metric type(s) trains (choose from bikes," in str(error)
    _, _, _, error = invoke(env, "metrics", "weather", "04/11/2025")
    assert isinstance(error, InvalidArgument) and "not a date" in str(error)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((None, None, None), "give either --date or --since"),
        (("2025-11-04", "2025-11-01", None), "give either --date or --since"),
        ((None, None, "2025-11-04"), "give either --date or --since"),
        (("2025-11-04", None, "2025-11-05"), "--until goes with --since"),
        ((None, "2025-11-05", "2025-11-04"), "is after --until"),
        ((None, "1925-01-01", "2025-11-04"), "more than 3660 days"),
    ],
)
def test_run_days_are_checked(
    args: tuple[str | None, str | None, str | None], message: str
) -> None:
    with pytest.raises(InvalidArgument, match=message):
        run_days(*args)


def test_run_days_longer_than_400_are_allowed() -> None:
    days = run_days(None, "2024-01-01", "2025-06-30")
    assert len(days) == 547 and days[-1] == date(2025, 6, 30)


def test_run_days() -> None:
    assert run_days("2025-11-04", None, None) == [D2]
    assert run_days(None, "2025-10-30", "2025-11-02")[1:3] == [
        date(2025, 10, 31),
        date(2025, 11, 1),
    ]
    assert run_days(None, yesterday().isoformat(), None) == [yesterday()]


def test_run_needs_a_migrated_catalog(store: MemoryStore, tmp_path: Path) -> None:
    _, _, _, error = invoke(CityService(store), "run", "--date", "2025-11-04")
    assert isinstance(error, ConfigError) and "needs the catalog" in str(error)
    blank = make_engine(f"sqlite:///{tmp_path / 'blank.db'}")
    _, _, _, error = invoke(CityService(store, engine=blank), "run", "--date", "2025-11-04")
    assert isinstance(error, NotMigrated)
    blank.dispose()


def test_copy_metrics_between_stores_with_verification(env: CityService, tmp_path: Path) -> None:
    source = f"sqlite:///{tmp_path / 'from.db'}"
    target = f"sqlite:///{tmp_path / 'to.db'}"
    with open_metrics(source) as metrics:
        for day in (D1, D2):
            for kind in ("weather", "traffic", "report"):
                metrics.put(kind, day, {"kind": kind, "day": day.isoformat(), "v": 1.5})

    _, out, _, _ = invoke(env, "copy-metrics", "--from", source, "--to", target, "--dry-run")
    planned = json.loads(out)
    assert (planned["documents"], planned["copied"], planned["target_count"]) == (6, 0, 0)
    assert planned["by_kind"] == {"report": 2, "traffic": 2, "weather": 2}

    _code, out, _, _ = invoke(
        env,
        "copy-metrics",
        "--from",
        source,
        "--to",
        target,
        "--date",
        "2025-11-04",
        "--type",
        "weather",
    )
    assert (json.loads(out)["copied"], json.loads(out)["target_count"]) == (1, 1)

    _, out, _, _ = invoke(env, "copy-metrics", "--from", source, "--to", target)
    done = json.loads(out)
    assert (done["copied"], done["unchanged"], done["target_count"], done["verified"]) == (
        5,
        1,
        6,
        True,
    )
    with open_metrics(target) as metrics:
        assert metrics.require("report", D1).document == {
            "kind": "report",
            "day": "2025-11-03",
            "v": 1.5,
        }

    _, _, _, error = invoke(env, "copy-metrics", "--from", source, "--to", source)
    assert isinstance(error, ConfigError)


def test_the_old_name_migrate_metrics_still_copies_and_names_the_new_one(
    env: CityService, tmp_path: Path
) -> None:
    source = f"sqlite:///{tmp_path / 'from.db'}"
    with open_metrics(source) as metrics:
        metrics.put("weather", D1, {"kind": "weather", "day": D1.isoformat()})
    code, out, err, _ = invoke(
        env, "migrate-metrics", "--from", source, "--to", f"sqlite:///{tmp_path / 'to.db'}"
    )
    assert code == 0 and json.loads(out)["copied"] == 1
    assert "`entrepot city copy-metrics`" in err
    help_text = CliRunner().invoke(city_app, ["--help"]).stdout
    assert "copy-metrics" in help_text and "migrate-metrics" not in help_text


def test_a_copy_that_does_not_verify_is_an_error(tmp_path: Path) -> None:
    from entrepot.city.metrics.base import DocumentInfo
    from entrepot.city.metrics.copy import copy_metrics
    from entrepot.city.metrics.sql import SqlMetrics

    class Lossy(SqlMetrics):
        def _put(self, info: DocumentInfo, document: dict[str, Any]) -> None:
            if info.kind != "weather":
                super()._put(info, document)

    source = open_metrics(f"sqlite:///{tmp_path / 'a.db'}")
    source.put("weather", D1, {"v": 1})
    source.put("bikes", D1, {"v": 2})
    target = Lossy.from_url(f"sqlite:///{tmp_path / 'b.db'}")
    with pytest.raises(MigrationMismatch, match="1 of 2 document"):
        copy_metrics(source, target)


@pytest.mark.parametrize(
    "options",
    [
        ["--until", "2025-11-04"],
        ["--date", "2025-11-04", "--since", "2025-11-01"],
        ["--since", "2025-11-05", "--until", "2025-11-04"],
    ],
)
def test_a_run_given_options_that_do_not_go_together_is_a_usage_mistake(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    options: list[str],
) -> None:
    run = migrated_cli(tmp_path, monkeypatch, capsys)
    code, _, err = run("city", "run", *options)
    assert code == 2, err  # README: a usage mistake (was 78, a configuration error)
    assert "--since" in err


def test_an_iso_week_date_is_a_usage_mistake_as_the_api_says(env: CityService) -> None:
    _, _, _, error = invoke(env, "metrics", "weather", "2025-W45-2")
    assert isinstance(error, InvalidArgument)  # exit 2, as `cli/errors.py` maps it
