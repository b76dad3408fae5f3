"""``entrepot city import`` and ``city run`` as a user types them, on the real Paris exports
(embedded defaults: a folder store and SQLite in the test's folder)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import Cli
from tests.support.real_paris import CHAMPS, CHANTIERS, CONVENTION, REFERENTIEL, real


def test_import_real_exports_then_run_with_only_traffic(cli: Cli, tmp_path: Path) -> None:
    assert cli("db", "upgrade").returncode == 0
    files = [str(real(n)) for n in (CONVENTION, CHAMPS, REFERENTIEL, CHANTIERS)]
    made = cli("city", "import", *files, "--as-of", "2023-12-05", "--json")
    assert made.returncode == 0, made.stderr
    imported = json.loads(made.stdout)["imported"]
    assert [i["kind"] for i in imported] == ["counts", "counts", "referentiel", "roadworks"]
    assert imported[1]["days"] == ["2023-01-01", "2023-12-31"]
    assert any("744 duplicate row(s)" in w for w in imported[1]["warnings"])  # December twice
    assert any("1 row(s) stamped at the non-existent hour" in w for w in imported[1]["warnings"])
    assert list((tmp_path / "var/store/raw/batch/counts").glob("20231205T120000Z-*.csv"))

    run = cli("city", "run", "--since", "2023-11-30", "--until", "2023-12-02", "--json")
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    assert (summary["failed"], summary["computed"]) == (0, 9)  # traffic, roadworks, report
    assert summary["absent"] == {"bikes": 3, "disruptions": 3, "weather": 3}
    assert "no data (not a failure): bikes (3 day(s)), disruptions (3 day(s))" in run.stderr
    assert "city generate" not in run.stderr  # a real gap is not a synthetic-data hint

    traffic = json.loads(cli("city", "metrics", "traffic", "2023-12-01").stdout)
    assert traffic["metrics"]["total_flow"] == 30834.0  # December is in the file twice
    assert traffic["metrics"]["by_arrondissement"][0]["arrondissement"] == "75008"

    again = cli("city", "import", str(real(CHAMPS)), "--json")
    assert json.loads(again.stdout)["imported"][0]["already_present"] == 1


def test_a_file_it_does_not_know_is_named_and_the_others_go_in(cli: Cli, tmp_path: Path) -> None:
    assert cli("db", "upgrade").returncode == 0
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    for name in ("arrondissements.geojson", CHANTIERS):
        (downloads / name).write_bytes(real(name).read_bytes())
    result = cli("city", "import", "downloads")  # a folder: every file in it
    assert result.returncode != 0
    assert "roadworks" in result.stdout and "192" in result.stdout
    assert "1 of 2 file(s) not imported" in result.stderr
    assert "known kinds: counts, referentiel" in result.stderr
    assert "Traceback" not in result.stderr
