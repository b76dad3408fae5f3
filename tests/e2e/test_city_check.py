"""``entrepot city check`` as a user runs it on the real Paris exports: imported, computed,
checked by the second computation (0 differences); one stored value altered through the
metrics store is reported with its day, metric and both values, and the command exits 1."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from entrepot.city.metrics.url import open_metrics
from tests.support.cli import Cli
from tests.support.real_paris import CHAMPS, REFERENTIEL, real

OPEN_METEO = "open-meteo-paris-2024-08-17.json"
GBFS = ("station_information.json", "station_status.json")  # a snapshot of 2025-10-18


def _run(cli: Cli, *args: str) -> None:
    done = cli("city", "run", *args, "--json")
    assert done.returncode == 0, done.stderr


def test_the_real_exports_check_clean_and_an_altered_value_is_named(
    cli: Cli, tmp_path: Path
) -> None:
    assert cli("db", "upgrade").returncode == 0
    files = [str(real(n)) for n in (CHAMPS, REFERENTIEL, OPEN_METEO, *GBFS)]
    made = cli("city", "import", *files, "--as-of", "2024-08-18")
    assert made.returncode == 0, made.stderr
    _run(cli, "--since", "2023-10-28", "--until", "2023-10-29")  # the autumn clock change
    _run(cli, "--date", "2024-08-17")
    _run(cli, "--date", "2025-10-18")

    clean = cli("city", "check", "--json")
    assert clean.returncode == 0, clean.stderr
    found = json.loads(clean.stdout)
    assert (found["days"], found["differences"]) == (4, [])
    assert found["metrics_checked"] > 200
    assert {"traffic.top_zones", "bikes.stations.anomalies", "report"} <= set(found["not_checked"])

    with open_metrics(f"sqlite:///{tmp_path / 'var/entrepot.db'}") as metrics:
        stored = metrics.require("traffic", date(2023, 10, 29)).document
        was = stored["metrics"]["total_flow"]
        stored["metrics"]["total_flow"] = was + 100
        metrics.put("traffic", date(2023, 10, 29), stored)

    altered = cli("city", "check", "--since", "2023-10-29", "--until", "2023-10-29", "--json")
    assert altered.returncode == 1, altered.stderr
    assert json.loads(altered.stdout)["differences"] == [
        {"day": "2023-10-29", "metric": "traffic.total_flow", "stored": was + 100,
         "recomputed": was},
    ]  # fmt: skip
    words = cli("city", "check", extra_env={"LANG": "fr_FR.UTF-8"})
    assert words.returncode == 1
    assert "2023-10-29" in words.stdout and "traffic.total_flow" in words.stdout
    assert "recalculée" in words.stdout and "1 écart" in words.stdout and "(s)" not in words.stdout


def test_a_folder_without_city_data_has_nothing_to_check(cli: Cli) -> None:
    assert cli("db", "upgrade").returncode == 0
    result = cli("city", "check")
    assert result.returncode == 0, result.stderr
    assert "nothing to check" in result.stdout
    assert "Traceback" not in result.stderr


def test_a_folder_without_an_instance_is_told_so(cli: Cli) -> None:
    result = cli("city", "check", "--json")
    assert result.returncode == 75
    assert "no Entrepôt instance here" in result.stderr and "Traceback" not in result.stderr
