"""Exports as people have them: the 2019 Vélib' portal layout (CSV and GeoJSON), daily
weather summaries (GHCN-Daily, daily tables), and the as-of of a snapshot from its content
(never the file's mtime). Fixtures are written here; expected numbers come from pandas."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from entrepot.city import layout
from entrepot.city.days import paris, parse_as_of
from entrepot.city.errors import RawFormatError
from entrepot.city.imports.files import import_paths
from entrepot.city.imports.importer import import_file
from entrepot.city.lake import Lake
from entrepot.city.messages import DAILY_SUMMARY
from entrepot.city.pipeline import DayProcessor
from entrepot.storage.memory import MemoryStore
from tests.support.real_paris import CHANTIERS, real

HEADER_2019 = (
    "Nombre de bornes disponibles;Nombre vélo en PARK+;Nombres de bornes en station;"
    "PARK + activation;Achat possible en station (CB);nbFreeDock;Nombre de vélo mécanique;"
    "nbDock;Nombre vélo électrique;Code de la station;Nom de la station;Etat des stations;"
    "geo;duedate"
)
# docks, overflow, capacity, mechanical, e-bikes, code, state, point, duedate
ROWS_2019 = [
    (28, 0, 35, 5, 2, "16107", "Operative", "48.865983, 2.275725", "2019-04-07T14:21:05+02:00"),
    (13, 2, 39, 22, 4, "11037", "Operative", "48.86787, 2.36489", "2019-04-07T14:23:11+02:00"),
    (17, 0, 20, 3, 0, "6021", "Close", "48.85660, 2.33474", "2019-04-07T13:58:40+02:00"),
    (16, 0, 21, 9, 5, "9020", "Operative", "48.87929, 2.33736", "2019-04-06T09:00:00+02:00"),
]  # fmt: skip
DAY = date(2019, 4, 7)


def _velib_2019(rows: Sequence[tuple[object, ...]] = ROWS_2019, *, dates_only: bool = False) -> str:
    lines = [HEADER_2019]
    for docks, park, cap, mech, ebike, code, state, geo, due in rows:
        stamp = str(due)[:10] if dates_only else due
        lines.append(
            f"{docks};{park};{cap};no;yes;0;{mech};0;{ebike};{code};Station {code};{state};"
            f"{geo};{stamp}"
        )
    return "\ufeff" + "\n".join(lines) + "\n"


def _expected_bikes(text: str) -> tuple[int, int]:
    # independent reading: docked bikes = mechanical + e-bikes; over capacity when
    # docks + docked bikes exceed the stations' bornes
    frame = pd.read_csv(io.StringIO(text.lstrip("\ufeff")), sep=";")
    bikes = frame["Nombre de vélo mécanique"] + frame["Nombre vélo électrique"]
    over = (bikes + frame["Nombre de bornes disponibles"]) > frame["Nombres de bornes en station"]
    return int(bikes.sum()), int(over.sum())


def _bikes(store: MemoryStore, day: date = DAY) -> dict[str, object]:
    stations: dict[str, object] = DayProcessor(Lake(store)).bikes(day)["metrics"]["stations"]
    return stations


def test_the_2019_velib_csv_is_read_into_the_same_snapshot_records(tmp_path: Path) -> None:
    extra = (10, 0, 20, 8, 4, "1001", "Operative", "48.86, 2.35", "2019-04-07T14:00:00+02:00")
    rows = [*ROWS_2019, extra]
    text = _velib_2019(rows)
    path = tmp_path / "velib-disponibilite-en-temps-reel.csv"
    path.write_text(text, encoding="utf-8")
    os.utime(path, (0, 0))  # a modification time of 1970 must not matter
    store = MemoryStore()
    result = import_file(store, path, as_of=parse_as_of("2019-04-07T14:30"))
    assert result.kind == "velib-csv" and result.rows == len(rows)
    # placed at the time given: its duedate is no report time (ADR 0064)
    assert f"/dt={DAY}/hour=14/" in result.keys[0]
    stations = _bikes(store)
    bikes, over = _expected_bikes(text)
    assert stations["bikes_available_mean"] == bikes
    assert stations["capacity_checked"] is True and stations["anomalies"] == over > 0
    assert stations["failing_sensors"] == 1  # the closed station; no duedate makes one stale


def test_the_2019_geojson_export_reads_like_its_csv() -> None:
    csv_text = _velib_2019()
    frame = pd.read_csv(io.StringIO(csv_text.lstrip("\ufeff")), sep=";", dtype=str)
    features = []
    for record in frame.to_dict("records"):
        lat, lon = (float(x) for x in record.pop("geo").split(","))
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": record,
            }
        )
    doc = {"type": "FeatureCollection", "features": features}
    from_csv, from_geojson = MemoryStore(), MemoryStore()
    as_of = parse_as_of("2019-04-07T14:30")
    import_file(from_csv, csv_text.encode(), name="velib.csv", as_of=as_of)
    result = import_file(from_geojson, json.dumps(doc).encode(), name="velib.geojson", as_of=as_of)
    assert result.kind == "velib-geojson"
    expected = _bikes(from_csv)
    assert _bikes(from_geojson) == expected
    assert expected["bikes_available_mean"] == _expected_bikes(csv_text)[0]


def test_a_2019_velib_csv_needs_as_of_and_says_so() -> None:
    text = _velib_2019(dates_only=True).encode()
    with pytest.raises(RawFormatError) as refused:
        import_file(MemoryStore(), text, name="velib-2019.csv")
    assert "does not say when it was taken" in refused.value.message
    assert "--as-of" in (refused.value.hint or "")
    store = MemoryStore()
    result = import_file(store, text, name="velib-2019.csv", as_of=parse_as_of("2019-04-07T18:30"))
    assert f"/dt={DAY}/hour=18/" in result.keys[0]
    assert _bikes(store)["bikes_available_mean"] == _expected_bikes(text.decode())[0]


def test_the_as_of_of_batch_files_is_their_content_or_the_option_never_the_mtime(
    tmp_path: Path,
) -> None:
    works = tmp_path / "chantiers.csv"
    works.write_bytes(real(CHANTIERS).read_bytes())
    counts = tmp_path / "counts.csv"
    counts.write_text(
        "iu_ac,libelle,t_1h,q,k,etat_trafic,etat_barre\n"
        "4264,AV,2023-02-05 01:00:00,1151.0,20.7,2,3\n"
        "4264,AV,2023-02-06 23:00:00,900.0,10.1,1,3\n",
        encoding="utf-8",
    )
    status = tmp_path / "station_information.json"
    status.write_text(json.dumps({"data": {"stations": [{"station_id": 1, "capacity": 3}]}}))
    store = MemoryStore()
    summary = import_paths(store, [tmp_path])
    assert [r.kind for r in summary.imported] == ["counts"]
    # the end of the last counted day, Paris midnight: 2023-02-06 23:00 UTC
    assert summary.imported[0].keys[0].split("/")[-1].startswith("20230206T230000Z-")
    failed = {f.name: f for f in summary.failed}
    assert set(failed) == {"chantiers.csv", "station_information.json"}
    assert all("--as-of" in (f.hint or "") for f in failed.values())
    again = import_paths(store, [works], as_of=datetime(2024, 1, 3, 12, tzinfo=UTC))
    assert Lake(store).batch_input(layout.ROADWORKS_CSV).key == again.imported[0].keys[0]


GHCN = (
    '"STATION","NAME","DATE","PRCP","PRCP_ATTRIBUTES","TAVG","TMAX","TMIN","TMIN_ATTRIBUTES"\n'
    '"FR000007150","PARIS MONTSOURIS, FR","2024-08-16","0.0",",,E","21.9","27.4","16.1",",,E"\n'
    '"FR000007150","PARIS MONTSOURIS, FR","2024-08-17","5.8",",,E","19.4","23.9","15.2",",,E"\n'
    '"FR000007150","PARIS MONTSOURIS, FR","2024-08-18","","","18.0","22.1","","" \n'
)


def test_ghcn_daily_gives_the_weather_of_a_day_without_hourly_weather() -> None:
    store = MemoryStore()
    result = import_file(store, GHCN.encode(), name="ghcn.csv")
    assert result.kind == "weather-daily" and result.rows == 3
    frame = pd.read_csv(io.StringIO(GHCN), dtype={"DATE": str})
    processor = DayProcessor(Lake(store))
    for row in frame.itertuples():
        doc = processor.weather(date.fromisoformat(row.DATE))
        metrics = doc["metrics"]
        assert metrics["resolution"] == "daily"
        for got, want in (
            (metrics["precipitation_mm"], row.PRCP),
            (metrics["temperature"]["max"], row.TMAX),
            (metrics["temperature"]["min"], row.TMIN),
            (metrics["temperature"]["mean"], row.TAVG),
        ):
            assert got == (None if pd.isna(want) else round(float(want), 1))
        assert metrics["rainy_hours"] is None and metrics["hourly"] == []
        source = metrics["daily_source"]
        assert source["station"] == "FR000007150" and source["message"]["key"] == DAILY_SUMMARY
        assert "FR000007150" in source["message"]["params"]["source"]
        assert any("daily summary" in w and "FR000007150" in w for w in doc["warnings"])


def test_hourly_weather_keeps_priority_over_a_daily_summary() -> None:
    store = MemoryStore()
    import_file(store, GHCN.encode(), name="ghcn.csv")
    hours = [f"2024-08-17T{h:02d}:00" for h in range(24)]
    temps = [10.0 + h / 2 for h in range(24)]
    hourly = {
        "latitude": 48.85,
        "longitude": 2.35,
        "utc_offset_seconds": 7200,
        "hourly": {"time": hours, "temperature_2m": temps, "precipitation": [0.5] * 24},
    }
    import_file(store, json.dumps(hourly).encode(), name="open-meteo.json")
    metrics = DayProcessor(Lake(store)).weather(date(2024, 8, 17))["metrics"]
    assert "resolution" not in metrics
    assert metrics["temperature"]["max"] == max(temps) != 23.9


def test_a_meteostat_daily_table_is_read_and_a_fahrenheit_download_refused() -> None:
    table = "date,tavg,tmin,tmax,prcp,snow,wdir\n2024-01-10,-1.5,-4.2,1.0,0.3,,\n"
    store = MemoryStore()
    import_file(store, table.encode(), name="paris.csv")
    expected = pd.read_csv(io.StringIO(table)).iloc[0]
    metrics = DayProcessor(Lake(store)).weather(date(2024, 1, 10))["metrics"]
    assert metrics["temperature"]["min"] == expected["tmin"]
    assert metrics["precipitation_mm"] == expected["prcp"]
    assert metrics["mobility_impact_level"] == "low"  # frost: 10 points
    assert metrics["mobility_impact"]["score"] == 10
    fahrenheit = GHCN.replace('"27.4"', '"81.3"')
    with pytest.raises(RawFormatError, match="not in °C"):
        import_file(MemoryStore(), fahrenheit.encode(), name="ghcn-standard.csv")


def test_as_of_takes_a_day_or_a_paris_time() -> None:
    assert parse_as_of("2019-04-07") == datetime(2019, 4, 7, 12, tzinfo=UTC)
    assert parse_as_of("2019-04-07T18:30") == datetime(2019, 4, 7, 18, 30, tzinfo=paris())
