"""``import_file`` on the real Paris exports: recognised by content, stored in the lake."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from entrepot.city import layout
from entrepot.city.errors import RawFormatError
from entrepot.city.imports.importer import import_file
from entrepot.city.lake import Lake
from entrepot.storage.memory import MemoryStore
from tests.support.real_paris import AS_OF, CHAMPS, CHANTIERS, REAL, imported, real, variant

KINDS = {
    "comptages-routiers-permanents-convention-2022.csv": "counts",
    "comptages-routiers-historique-champs-elysees-2023.csv": "counts",
    "referentiel-comptages-routiers.csv": "referentiel",
    "chantiers-perturbants.csv": "roadworks",
    "velib-disponibilite-en-temps-reel.csv": "velib-csv",
    "station_status.json": "gbfs-status",
    "station_information.json": "gbfs-information",
    "comptage-velo-donnees-compteurs.csv": "bike-counters",
    "meteo-france-synop-paris.csv": "synop",
    "open-meteo-paris-2024-08-17.json": "open-meteo",
}


@pytest.mark.parametrize(("name", "kind"), sorted(KINDS.items()))
def test_each_real_export_is_recognised_by_content_not_name(name: str, kind: str) -> None:
    data = (REAL / name).read_bytes()
    if kind == "synop":  # keep the test quick: a week of observations
        data = b"\n".join(data.split(b"\n")[:60]) + b"\n"
    result = import_file(MemoryStore(), data, name="download(3).bin", as_of=AS_OF)
    assert result.kind == kind
    assert result.keys and result.already_present == 0


def test_batch_versions_the_newest_wins_and_the_old_stays_readable(tmp_path: Path) -> None:
    store = MemoryStore()
    old = import_file(store, real(CHANTIERS), as_of=datetime(2022, 12, 1, tzinfo=UTC))
    fewer = variant(tmp_path, CHANTIERS, lambda b: b[: b.rindex(b"\nCP")] + b"\n")
    new = import_file(store, fewer, as_of=datetime(2023, 1, 10, tzinfo=UTC))
    lake = Lake(store)
    versions = lake.batch_inputs(layout.ROADWORKS_CSV)
    assert [v.key for v in versions] == [old.keys[0], new.keys[0]]
    assert versions[0].key.startswith("raw/batch/roadworks/20221201T000000Z-")
    assert lake.batch_input(layout.ROADWORKS_CSV).key == new.keys[0]
    assert store.get(old.keys[0]) == real(CHANTIERS).read_bytes()  # still readable


def test_importing_a_file_again_stores_nothing_new() -> None:
    store = MemoryStore()
    first = import_file(store, real("comptage-velo-donnees-compteurs.csv"), as_of=AS_OF)
    again = import_file(store, real("comptage-velo-donnees-compteurs.csv"), as_of=AS_OF)
    assert again.already_present == len(first.keys) == 21
    batch = import_file(store, real(CHAMPS), as_of=AS_OF)
    later = import_file(store, real(CHAMPS), as_of=datetime(2024, 1, 1, tzinfo=UTC))
    assert later.already_present == 1 and later.keys == batch.keys
    assert len(Lake(store).batch_inputs(layout.COUNTS_CSV)) == 1


def test_a_bike_counter_day_lands_hour_by_hour() -> None:
    store, (result,) = imported(real("comptage-velo-donnees-compteurs.csv"))
    day = date(2021, 9, 1)
    hours = sorted(p.hour for p in Lake(store).partitions("bikes", day, day))
    assert hours == list(range(3, 24))  # 03:00 .. 23:00, as counted
    assert (result.first_day, result.last_day) == (day, day)


def test_gbfs_status_is_placed_at_its_own_update_time() -> None:
    _, (result,) = imported(real("station_status.json"))
    # lastUpdatedOther 1760778556 = 2025-10-18 09:09:16 UTC = 11:09 in Paris
    assert result.keys == (
        f"raw/api/bikes/dt=2025-10-18/hour=11/station_status-{result.keys[0].rsplit('-', 1)[1]}",
    )


def test_a_file_it_does_not_know_is_refused_by_name_and_nothing_is_stored() -> None:
    store = MemoryStore()
    with pytest.raises(RawFormatError) as info:
        import_file(store, real("arrondissements.geojson"))
    assert "arrondissements.geojson is JSON, but not a Vélib' GBFS feed" in str(info.value)
    assert "it looks like a GeoJSON FeatureCollection of 20 feature(s)" in str(info.value)
    assert "known kinds: counts, referentiel" in (info.value.hint or "")
    assert list(store.list()) == []


def test_a_cp1252_export_is_read_and_stored_as_utf8(tmp_path: Path) -> None:
    path = variant(tmp_path, CHANTIERS, lambda b: b.decode("utf-8-sig").encode("cp1252"))
    store, (result,) = imported(path)
    assert result.kind == "roadworks" and result.rows == 192
    assert any("read as cp1252" in w or "read as windows-1252" in w for w in result.warnings)
    stored = store.get(result.keys[0]).decode("utf-8")
    assert "Code postal de l'arrondissement" in stored and "Précisions" in stored


def test_a_quote_before_the_bom_is_repaired(tmp_path: Path) -> None:
    path = variant(tmp_path, CHANTIERS, lambda b: b'"' + b)
    store, (result,) = imported(path)
    assert result.kind == "roadworks" and result.rows == 192
    assert any("stray '\"' before the header was removed" in w for w in result.warnings)
    assert store.get(result.keys[0]).startswith(b"Identifiant;")


def test_a_cut_csv_is_flagged(tmp_path: Path) -> None:
    text = real(CHANTIERS).read_bytes()
    inside = variant(tmp_path, CHANTIERS, lambda b: b[: text.index(b"entre le bd Ney") + 20])
    _, (result,) = imported(inside)
    assert result.rows == 0  # the one row it had was incomplete
    assert any(
        "cut short (a download that stopped?): 1 incomplete row" in w for w in result.warnings
    )
    longer = variant(tmp_path, CHANTIERS, lambda b: b[: text.index(b"Renouvellement")])
    _, (more,) = imported(longer)
    assert 0 < more.rows < 192
    _, (whole,) = imported(real(CHAMPS))
    no_newline = variant(tmp_path, CHAMPS, lambda b: b.rstrip(b"\n"))
    _, (counts,) = imported(no_newline)  # a counts row without its line end may be cut
    assert counts.rows == whole.rows - 1
    assert any("1 incomplete row, its last line, was left out" in w for w in counts.warnings)


def test_the_velib_portal_csv_becomes_one_snapshot() -> None:
    _, (result,) = imported(real("velib-disponibilite-en-temps-reel.csv"))
    assert result.rows == 1469 and len(result.keys) == 1
    assert "/dt=2023-12-10/hour=" in result.keys[0]


def test_the_repeated_autumn_hour_gets_its_own_partition_file(tmp_path: Path) -> None:
    def autumn(data: bytes) -> bytes:
        lines = data.split(b"\r\n")
        body = [line for line in lines[1:] if line][:3]
        day = b"2021-10-31T0"
        stamps = (day + b"2:00:00+02:00", day + b"2:00:00+01:00", day + b"3:00:00+01:00")
        pairs = zip(body, stamps, strict=True)
        rows = [line.replace(line.split(b";")[5], stamp) for line, stamp in pairs]
        return b"\r\n".join([lines[0], *rows]) + b"\r\n"

    path = variant(tmp_path, "comptage-velo-donnees-compteurs.csv", autumn)
    store, (result,) = imported(path)
    assert len(result.keys) == 3
    assert sum(k.endswith("_fold1.json") for k in result.keys) == 1
    read = Lake(store).read_day("bikes", date(2021, 10, 31))
    assert sorted((f.partition.hour, f.fold) for f in read.files) == [(2, 0), (2, 1), (3, 0)]


def test_unreadable_bytes_are_refused_by_name() -> None:
    store = MemoryStore()
    for data, message in (
        (b"", "f.bin is empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "f.bin is a PNG image, not a text export"),
        (b"a;b\n" + bytes(range(128, 256)), "f.bin is neither UTF-8 nor"),
        (b"\x1f\x8b\x08\x00" + bytes(range(256)), "f.bin is a gzip archive, not a text export"),
    ):
        with pytest.raises(RawFormatError, match=message):
            import_file(store, data, name="f.bin")
    assert list(store.list()) == []


def test_a_utf16_tab_separated_spreadsheet_export_is_read() -> None:
    text = real(CHAMPS).read_text(encoding="utf-8").replace(",", "\t")
    store = MemoryStore()
    result = import_file(store, text.encode("utf-16"), name="champs.txt", as_of=AS_OF)
    assert result.kind == "counts" and result.rows == 8758
    assert "champs.txt: read as UTF-16 and stored as UTF-8" in result.warnings
    assert store.get(result.keys[0]).startswith(b"iu_ac;libelle;")


def test_a_counts_header_without_rows_is_refused() -> None:
    header = real(CHAMPS).read_bytes().split(b"\n", 1)[0] + b"\n"
    store = MemoryStore()
    with pytest.raises(RawFormatError, match="has no counts row with a valid arc and time"):
        import_file(store, header + b"x,y,,,,,not-a-time,1,2,,\n", name="counts.csv")
    assert list(store.list()) == []
