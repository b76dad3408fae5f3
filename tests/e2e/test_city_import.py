"""``entrepot city import`` and ``city run`` as a user types them, on the real Paris exports
(embedded defaults: a folder store and SQLite in the test's folder)."""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

import pandas as pd

from tests.support.cli import Cli
from tests.support.real_paris import (
    CHAMPS,
    CHANTIERS,
    CONVENTION,
    REAL,
    REFERENTIEL,
    real,
)


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
    assert "no data (not a failure): bikes (3 days), disruptions (3 days)" in run.stderr
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
    result = cli("city", "import", "downloads", "--as-of", "2023-01-10")  # every file in it
    assert result.returncode != 0
    assert "roadworks" in result.stdout and "192" in result.stdout
    assert "1 of 2 file(s) not imported" in result.stderr
    assert "known kinds: counts, referentiel" in result.stderr
    assert "a GeoJSON FeatureCollection of 20 feature(s)" in result.stdout
    assert "Traceback" not in result.stderr


def test_a_folder_of_archives_and_readmes_as_people_keep_it(cli: Cli, tmp_path: Path) -> None:
    assert cli("db", "upgrade").returncode == 0
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    (downloads / "README.md").write_bytes((REAL / "README.md").read_bytes())
    (downloads / f"{CHAMPS}.gz").write_bytes(gzip.compress(real(CHAMPS).read_bytes(), mtime=0))
    with zipfile.ZipFile(downloads / "paris.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(real(CHANTIERS), f"exports/{CHANTIERS}")
        archive.write(REAL / "README.md", "README.md")
    made = cli("city", "import", "downloads", "--as-of", "2023-12-05", "--json")
    assert made.returncode == 0, made.stderr
    summary = json.loads(made.stdout)
    assert [
        (i["file"], i["kind"], i.get("archive"), i.get("member")) for i in summary["imported"]
    ] == [
        (f"{CHAMPS}.gz:{CHAMPS}", "counts", f"{CHAMPS}.gz", CHAMPS),
        (f"paris.zip:exports/{CHANTIERS}", "roadworks", "paris.zip", f"exports/{CHANTIERS}"),
    ]
    assert summary["imported"][0]["rows"] == 8758
    assert [(s["file"], s["reason"]) for s in summary["skipped"]] == [
        ("README.md", "not a city data file"),
        ("paris.zip:README.md", "not a city data file"),
    ]
    # the reason as a message too, for a reader in another language
    assert {s["reason_message"]["key"] for s in summary["skipped"]} == {"city.import_skip.not_data"}
    assert summary["failed"] == []
    assert len(list((tmp_path / "var/store/raw/batch/counts").glob("*.csv"))) == 1

    table = cli("city", "import", "downloads")  # again, for people: nothing new, same files
    assert table.returncode == 0, table.stderr
    assert "skipped README.md: not a city data file" in table.stdout
    assert "skipped paris.zip:README.md: not a city data file" in table.stdout


def test_only_a_readme_imports_nothing_and_says_so(cli: Cli, tmp_path: Path) -> None:
    assert cli("db", "upgrade").returncode == 0
    (tmp_path / "README.md").write_text("# my downloads\n", encoding="utf-8")
    result = cli("city", "import", "README.md")
    assert result.returncode != 0
    assert "nothing imported (skipped README.md: not a city data file)" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_2019_velib_export_and_a_ghcn_daily_file_as_downloaded(cli: Cli, tmp_path: Path) -> None:
    assert cli("db", "upgrade").returncode == 0
    velib = tmp_path / "velib-2019.csv"
    velib.write_text(
        "Nombre de bornes disponibles;Nombre vélo en PARK+;Nombres de bornes en station;"
        "Nombre de vélo mécanique;Nombre vélo électrique;Code de la station;Etat des stations;"
        "geo;duedate\n"
        "28;0;35;5;2;16107;Operative;48.865983, 2.275725;2019-04-07\n"
        "13;2;39;22;4;11037;Operative;48.8678724847, 2.36489821581;2019-04-07\n",
        encoding="utf-8",
    )
    ghcn = tmp_path / "3784920.csv"
    ghcn.write_text(
        '"STATION","NAME","DATE","PRCP","TAVG","TMAX","TMIN"\n'
        '"FR000007150","PARIS MONTSOURIS, FR","2019-04-07","3.3","12.1","16.0","8.4"\n',
        encoding="utf-8",
    )
    refused = cli("city", "import", str(velib))  # its duedates are days, not a time
    assert refused.returncode != 0 and "--as-of" in refused.stderr
    assert "Traceback" not in refused.stderr
    made = cli("city", "import", str(velib), str(ghcn), "--as-of", "2019-04-07T18:30", "--json")
    assert made.returncode == 0, made.stderr
    kinds = [i["kind"] for i in json.loads(made.stdout)["imported"]]
    assert kinds == ["velib-csv", "weather-daily"]
    assert list((tmp_path / "var/store/raw/api/bikes/dt=2019-04-07/hour=18").glob("*.json"))

    run = cli("city", "run", "--since", "2019-04-07", "--until", "2019-04-07", "--json")
    assert run.returncode == 0, run.stderr
    frame = pd.read_csv(velib, sep=";")
    bikes = int((frame["Nombre de vélo mécanique"] + frame["Nombre vélo électrique"]).sum())
    stations = json.loads(cli("city", "metrics", "bikes", "2019-04-07").stdout)["metrics"]
    assert stations["stations"]["bikes_available_mean"] == bikes
    weather = json.loads(cli("city", "metrics", "weather", "2019-04-07").stdout)
    expected = pd.read_csv(ghcn).iloc[0]
    assert weather["metrics"]["precipitation_mm"] == expected["PRCP"]
    assert weather["metrics"]["temperature"]["max"] == expected["TMAX"]
    assert weather["metrics"]["daily_source"]["station"] == expected["STATION"]


def test_variants_as_a_user_holds_them_one_refused_by_name(cli: Cli, tmp_path: Path) -> None:
    # a Windows-1252 re-save zipped, the raw-names counters export gzipped, and a counts
    # file whose times an English spreadsheet rewrote month first: two go in, the third is
    # named with its fix
    assert cli("db", "upgrade").returncode == 0
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    lines = real(CONVENTION).read_text(encoding="utf-8").splitlines(keepends=True)[:60]
    with zipfile.ZipFile(downloads / "trafic.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(CONVENTION, "".join(lines).encode("cp1252"))
    counters = real("comptage-velo-donnees-compteurs.csv").read_text(encoding="utf-8")
    header, body = counters.split("\n", 1)
    raw = (
        header.replace("Identifiant du compteur", "id_compteur")
        .replace("Comptage horaire", "sum_counts")
        .replace("Date et heure de comptage", "date")
    )
    (downloads / "velo.csv.gz").write_bytes(gzip.compress(f"{raw}\n{body}".encode(), mtime=0))
    every = real(CONVENTION).read_text(encoding="utf-8").splitlines(keepends=True)
    rewritten = "".join(
        line.replace("2022-06-15T", "06/15/2022 ").replace(":00:00+02:00", ":00")
        for line in every
        if line.startswith(("Identifiant", "5671;Convention;2022-06-15T"))
    )
    (downloads / "saved-by-excel.csv").write_text(rewritten, encoding="utf-8")
    made = cli("city", "import", "downloads", "--json")
    assert made.returncode == 1, made.stderr
    summary = json.loads(made.stdout)
    assert [(i["file"], i["kind"]) for i in summary["imported"]] == [
        ("trafic.zip:" + CONVENTION, "counts"),
        ("velo.csv.gz:velo.csv", "bike-counters"),
    ]
    [failed] = summary["failed"]
    assert failed["file"] == "saved-by-excel.csv" and "are month first" in failed["error"]
    assert "save its times as 2023-12-31 23:00:00" in failed["hint"]
    assert "Traceback" not in made.stderr
    stored = list((tmp_path / "var/store/raw/batch/counts").iterdir())
    assert len(stored) == 1  # the zipped export's version, nothing of the refused file


def test_utf_16_without_a_bom_is_read_and_a_broken_one_named(cli: Cli, tmp_path: Path) -> None:
    """A spreadsheet's "Unicode text" saved without a BOM was refused as "byte 0x..": it is
    read; one that does not decode is refused naming UTF-16 and the fix, exit 1 as
    docs/city.md says."""
    assert cli("db", "upgrade").returncode == 0
    text = real(CHANTIERS).read_bytes().decode("utf-8").removeprefix("\ufeff")
    good, cut = tmp_path / "good" / CHANTIERS, tmp_path / "cut" / CHANTIERS
    for path, data in ((good, text.encode("utf-16-le")), (cut, text.encode("utf-16-be")[:-1])):
        path.parent.mkdir()
        path.write_bytes(data)

    made = cli("city", "import", str(good), "--as-of", "2023-01-10", "--json")
    assert made.returncode == 0, made.stderr
    [imported] = json.loads(made.stdout)["imported"]
    assert (imported["kind"], imported["rows"]) == ("roadworks", 192)

    refused = cli("city", "import", str(cut), "--as-of", "2023-01-10")
    assert refused.returncode == 1, refused.stderr
    assert "looks like UTF-16 BE text without a BOM" in refused.stderr
    assert "re-save the file as UTF-8" in refused.stderr


def test_each_refused_file_has_its_hint_once_and_new_counts_rows(cli: Cli, tmp_path: Path) -> None:
    """Issue 44 item 3: a folder with several files the importer does not know names each
    one once, with what to do beside it (the refusal lists them, not the first one's reason
    again); "new" and "present" count rows, as the column beside them."""
    assert cli("db", "upgrade").returncode == 0
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    (downloads / "station_status.json").write_bytes(real("station_status.json").read_bytes())
    (downloads / "junk.csv").write_text("x,y\n1,2\n")
    (downloads / "notes.txt").write_text("hello")
    result = cli("city", "import", "downloads", extra_env={"COLUMNS": "400"})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    for name in ("junk.csv", "notes.txt"):
        (line,) = [x for x in result.stdout.splitlines() if "not imported" in x and name in x]
        assert line.count(name) == 1, line
    assert result.stdout.count("what to do:") == 2
    assert "2 of 3 file(s) not imported: junk.csv, notes.txt" in result.stderr
    assert "is not an export" not in result.stderr  # the reasons are beside each file
    stations = len(json.loads(real("station_status.json").read_text())["data"]["stations"])
    (row,) = [x.split() for x in result.stdout.splitlines() if "station_status.json" in x]
    assert row[-2:] == [str(stations), "0"], row  # new, present: rows
    again = json.loads(cli("city", "import", "downloads", "--json").stdout)["imported"][0]
    assert again["rows"] == stations and again["new_rows"] == 0
