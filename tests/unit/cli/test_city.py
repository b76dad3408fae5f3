"""``entrepot city generate`` and ``process`` as a user types them."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from entrepot.city.errors import MissingInput
from entrepot.city_service.service import CityService
from entrepot.cli.city.commands import city_app
from entrepot.errors import ConfigError, InvalidArgument
from entrepot.storage.memory import MemoryStore
from tests.support.apps import city_app_over

SMALL = ["--arcs", "30", "--stations", "10", "--counters", "3", "--roadworks", "20"]


@pytest.fixture(scope="module")
def store() -> MemoryStore:
    store = MemoryStore("cli")
    result = CliRunner().invoke(
        city_app,
        ["generate", "--start", "2025-11-04", "--days", "2", *SMALL, "city/raw-data"],
        obj=city_app_over(CityService(store)),
    )
    assert result.exit_code == 0, result.output
    return store


def test_generate_prints_a_summary_and_writes_under_the_prefix(store: MemoryStore) -> None:
    keys = [i.key for i in store.list()]
    assert keys
    assert all(k.startswith("city/raw-data/raw/") for k in keys)
    result = CliRunner().invoke(
        city_app,
        ["generate", "--start", "2025-11-04", *SMALL, "--seed", "3", "--json"],
        obj=city_app_over(CityService(MemoryStore())),
    )
    summary = json.loads(result.stdout)
    assert summary["counts_rows"] == 30 * 24
    assert summary["objects"] == 24 * 4 + 4
    assert summary["counts_days"] == ["2025-11-04", "2025-11-04"]
    assert result.stderr == ""  # not a terminal: no bar, and the service says no sentence


def test_generate_writes_sizes_in_human_units_and_days_as_words() -> None:
    """Issue 44 item 3: the table said ``bytes 268760377`` and ``['2025-11-04', …]``."""
    result = CliRunner().invoke(
        city_app,
        ["generate", "--start", "2025-11-04", *SMALL, "--seed", "3"],
        obj=city_app_over(CityService(MemoryStore())),
    )
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines() if line}
    assert lines["bytes"][-1] in {"B", "KiB", "MiB", "GiB"}, result.stdout
    assert lines["counts_days"] == ["2025-11-04,", "2025-11-04"]
    assert "[" not in result.stdout and "'" not in result.stdout


def test_generate_accepts_a_lazy_store_provider() -> None:
    target = MemoryStore()
    result = CliRunner().invoke(
        city_app,
        ["generate", "--start", "2025-11-04", *SMALL],
        obj=city_app_over(CityService(target)),
    )
    assert result.exit_code == 0
    assert target.exists("raw/batch/chantiers-perturbants.csv")


def test_process_prints_the_metrics_as_json(store: MemoryStore) -> None:
    result = CliRunner().invoke(
        city_app,
        [
            "process",
            "--date",
            "2025-11-05",
            "--prefix",
            "city/raw-data",
            "--type",
            "traffic",
            "--type",
            "weather",
        ],
        obj=city_app_over(CityService(store)),
    )
    assert result.exit_code == 0, result.output
    docs = json.loads(result.stdout)
    assert set(docs) == {"traffic", "weather"}
    assert docs["traffic"]["date"] == "2025-11-05"
    assert docs["traffic"]["metrics"]["arcs"] == 30
    assert docs["weather"]["inputs"][0]["key"].startswith("raw/api/weather/dt=2025-11-05/hour=00/")


def test_process_all_types_by_default(store: MemoryStore) -> None:
    result = CliRunner().invoke(
        city_app,
        ["process", "--date", "2025-11-04", "--prefix", "city/raw-data"],
        obj=city_app_over(CityService(store)),
    )
    assert set(json.loads(result.stdout)) == {
        "bikes",
        "disruptions",
        "weather",
        "traffic",
        "roadworks",
    }


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (["process", "--date", "04/11/2025"], InvalidArgument, "YYYY-MM-DD"),
        (
            ["process", "--date", "2025-11-04", "--type", "velos"],
            InvalidArgument,
            "unknown metric type",
        ),
        (
            ["process", "--date", "2025-12-25", "--prefix", "city/raw-data"],
            MissingInput,
            "2025-12-25",
        ),
        (["generate", "--start", "2025-02-30"], InvalidArgument, "2025-02-30"),
    ],
)
def test_bad_input_is_a_clear_error(
    store: MemoryStore, args: list[str], error: type[Exception], message: str
) -> None:
    result = CliRunner().invoke(city_app, args, obj=city_app_over(CityService(store)))
    assert isinstance(result.exception, error)
    assert message in str(result.exception)


def test_without_a_store_the_error_says_how_to_run() -> None:
    result = CliRunner().invoke(city_app, ["process", "--date", "2025-11-04"])
    assert isinstance(result.exception, ConfigError)
    assert "entrepot city" in str(result.exception)
