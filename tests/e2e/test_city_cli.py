"""``entrepot city ...`` as a user types it, on the embedded defaults (folder + SQLite)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import Cli

SMALL = ["--arcs", "20", "--stations", "8", "--counters", "3", "--roadworks", "15"]


def test_generate_run_inspect_and_migrate(cli: Cli, tmp_path: Path) -> None:
    assert cli("db", "upgrade").returncode == 0
    made = cli("city", "generate", "--start", "2025-11-03", "--days", "2", *SMALL)
    assert made.returncode == 0, made.stderr

    run = cli("city", "run", "--since", "2025-11-03", "--until", "2025-11-04", "--json")
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    assert (summary["computed"], summary["skipped"], summary["failed"]) == (12, 0, 0)
    again = json.loads(cli("city", "run", "--date", "2025-11-04", "--json").stdout)
    assert again["skipped"] == 6

    metrics = json.loads(cli("city", "metrics", "traffic", "2025-11-04").stdout)
    assert metrics["type"] == "traffic" and metrics["metrics"]["arcs"] == 20
    report = json.loads(cli("city", "report", "2025-11-04").stdout)
    assert report["summary"]["traffic_arcs"] == 20
    csv = cli("city", "report", "2025-11-04", "--csv")
    assert csv.stdout.startswith("section;path;type;value\n")
    assert list((tmp_path / "var/store/reports/city/2025-11-04").glob("report-*.csv"))

    hour = tmp_path / "var/store/raw/api/weather/dt=2025-11-04/hour=06/weather_data.json"
    hour.write_bytes(hour.read_bytes()[:100])
    failed = cli("city", "run", "--date", "2025-11-04", "--type", "weather", "--json")
    assert failed.returncode != 0
    assert json.loads(failed.stdout)["failed"] == 1
    assert "1 of 2 (type, day) failed" in failed.stderr
    assert "hour=06/weather_data.json" in failed.stderr
    status = json.loads(cli("city", "status", "--failed", "--json").stdout)
    assert [(s["source"], s["date"]) for s in status] == [("weather", "2025-11-04")]

    copy = cli(
        "city",
        "copy-metrics",
        "--from",
        "sqlite:///var/entrepot.db",
        "--to",
        "sqlite:///var/metrics-copy.db",
    )
    assert copy.returncode == 0, copy.stderr
    copied = json.loads(copy.stdout)
    assert copied["verified"] is True and copied["documents"] == copied["target_count"] == 11

    missing = cli("city", "metrics", "weather", "2025-12-01")
    assert missing.returncode != 0
    assert "no weather document is stored for 2025-12-01" in missing.stderr


def test_a_run_without_the_raw_lake_keeps_what_it_computed(cli: Cli, tmp_path: Path) -> None:
    """Issue 26: a moved installation whose raw lake did not come along (or a laptop whose
    raw partitions are gone) keeps its metrics and reports, marked, instead of deleting them."""
    import shutil

    assert cli("db", "upgrade").returncode == 0
    assert cli("city", "generate", "--start", "2025-11-03", "--days", "2", *SMALL).returncode == 0
    assert cli("city", "run", "--since", "2025-11-03", "--until", "2025-11-04").returncode == 0
    before = json.loads(cli("city", "metrics", "traffic", "2025-11-04").stdout)
    report = json.loads(cli("city", "report", "2025-11-04").stdout)
    shutil.rmtree(tmp_path / "var/store/raw")

    run = cli("city", "run", "--since", "2025-11-03", "--until", "2025-11-04", "--json")
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    assert (summary["kept"], summary["no_data"], summary["failed"]) == (10, 0, 0)
    assert summary["input_missing"]["traffic"] == 2
    assert "computed results kept and marked (not deleted)" in " ".join(run.stderr.split())
    after = json.loads(cli("city", "metrics", "traffic", "2025-11-04").stdout)
    assert after["metrics"] == before["metrics"]
    assert after["input_missing"]["since"] and any(
        w.startswith("input missing since") for w in after["warnings"]
    )
    still = json.loads(cli("city", "report", "2025-11-04").stdout)
    assert still["summary"] == report["summary"]
