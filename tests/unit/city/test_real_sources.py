"""Weather and bike days from the real exports, imported: SYNOP in °C and km/h, Open-Meteo
and GBFS as they come, the Vélib' portal CSV and the bike-counter export."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from entrepot.city.errors import MissingInput
from entrepot.city.imports.importer import import_file
from entrepot.city.lake import Lake
from entrepot.city.messages import UNKNOWN
from entrepot.city.pipeline import DayProcessor
from entrepot.storage.memory import MemoryStore
from tests.support.real_paris import imported, real, variant

NEW_YEAR = date(2021, 1, 1)


def _synop_week(tmp_path: Path) -> Path:
    """The SYNOP file's first 60 observations (late 2020 and 1 January 2021)."""
    return variant(
        tmp_path,
        "meteo-france-synop-paris.csv",
        lambda b: b"\n".join(b.split(b"\n")[:60]) + b"\n",
    )


def test_synop_in_kelvin_and_metres_per_second_becomes_celsius_and_kmh(tmp_path: Path) -> None:
    store, (result,) = imported(_synop_week(tmp_path))
    assert result.kind == "synop"
    doc = DayProcessor(Lake(store)).weather(NEW_YEAR)
    metrics = doc["metrics"]
    one_am = next(h for h in metrics["hourly"] if h["time_utc"] == "2021-01-01T00:00Z")
    assert one_am["temperature"] == -0.4  # 272.75 K
    assert one_am["wind"] == 6.5  # 1.8 m/s
    assert metrics["temperature"] == {"min": -1.9, "max": 3.8, "mean": 0.6}
    assert metrics["precipitation_mm"] == 0.2  # rr3 = 0.2 mm at 09:00 UTC, the rest 0
    assert metrics["hours_covered"] == 24
    assert doc["warnings"] == []


def test_synop_traces_and_a_bad_value(tmp_path: Path) -> None:
    def change(data: bytes) -> bytes:
        lines = data.split(b"\n")[:60]
        target = next(i for i, line in enumerate(lines) if line.startswith(b"7149,2021-01-01 12"))
        cells = lines[target].split(b",")
        cells[7] = b"chaud"  # t
        cells[39] = b"-0.100000"  # rr3: traces
        lines[target] = b",".join(cells)
        return b"\n".join(lines) + b"\n"

    path = variant(tmp_path, "meteo-france-synop-paris.csv", change)
    store, (result,) = imported(path)
    assert any("1 value(s) are not numbers" in w and "'chaud'" in w for w in result.warnings)
    metrics = DayProcessor(Lake(store)).weather(NEW_YEAR)["metrics"]
    assert metrics["precipitation_mm"] == 0.2  # traces count as 0, not -0.1
    noon = next(h for h in metrics["hourly"] if h["time_utc"] == "2021-01-01T12:00Z")
    assert noon["temperature"] is None  # left out, not 0 °C


def test_open_meteo_is_placed_hour_by_hour() -> None:
    store, (result,) = imported(real("open-meteo-paris-2024-08-17.json"))
    # 24 hours, and the first precipitation (over the hour before 00:00) on 16 August
    assert len(result.keys) == 25
    assert result.keys[0].startswith("raw/api/weather/dt=2024-08-16/hour=23/")
    doc = DayProcessor(Lake(store)).weather(date(2024, 8, 17))
    metrics = doc["metrics"]
    assert metrics["hours_covered"] == 24
    assert metrics["temperature"]["max"] == 40.3  # the hand-edited values of the saved file
    assert metrics["precipitation_mm"] == 31.5  # the first value is 0.0
    rain = {h["hour"]: h["precipitation"] for h in metrics["hourly"]}
    assert (rain[10], rain[11], rain[23]) == (5.4, 4.9, None)  # at 11:00 for 10:00-11:00
    assert (
        "precipitation on 2024-08-17 known for 23 of its 24 hours; "
        "the day's total leaves the others out" in doc["warnings"]
    )


def test_gbfs_status_with_station_information() -> None:
    store, _ = imported(real("station_status.json"), real("station_information.json"))
    doc = DayProcessor(Lake(store)).bikes(date(2025, 10, 18))
    stations = doc["metrics"]["stations"]
    assert stations["stations"] == 1495 and stations["capacity_checked"] is True
    assert stations["ebike_share"] == 0.388
    assert any(i["key"].startswith("raw/batch/stations/") for i in doc["inputs"])


def test_the_velib_portal_csv_and_the_bike_counters() -> None:
    store, _ = imported(
        real("velib-disponibilite-en-temps-reel.csv"), real("comptage-velo-donnees-compteurs.csv")
    )
    velib = DayProcessor(Lake(store)).bikes(date(2023, 12, 10))["metrics"]["stations"]
    assert velib["stations"] == 1469
    counters = DayProcessor(Lake(store)).bikes(date(2021, 9, 1))
    assert counters["metrics"]["counters"]["total_count"] == 1580
    assert "bikes 2021-09-01: no data for hour(s) 00, 01, 02" in counters["warnings"]


def test_the_chantiers_snapshot_describes_only_the_days_around_its_date() -> None:
    store, _ = imported(real("chantiers-perturbants.csv"))  # as of 2023-01-10
    processor = DayProcessor(Lake(store))
    with pytest.raises(MissingInput, match="as of 2023-01-10; it cannot describe 2023-03-01"):
        processor.roadworks(date(2023, 3, 1))
    early = processor.roadworks(date(2022, 11, 1))
    assert early["metrics"]["active_works"] > 0
    assert any("works finished before then" in w for w in early["warnings"])
    near = processor.roadworks(date(2023, 1, 8))
    assert not [w for w in near["warnings"] if "as of" in w]


def test_stations_and_counters_are_placed_by_the_real_polygons() -> None:
    store, _ = imported(
        real("station_status.json"),
        real("station_information.json"),
        real("velib-disponibilite-en-temps-reel.csv"),
        real("comptage-velo-donnees-compteurs.csv"),
    )
    processor = DayProcessor(Lake(store))
    gbfs = processor.bikes(date(2025, 10, 18))["metrics"]["stations"]["by_arrondissement"]
    zones = {z["arrondissement"]: z["stations"] for z in gbfs}
    assert len([z for z in zones if z.startswith("750")]) == 20
    assert sum(zones.values()) == 1495  # the rest are outside Paris, none unplaced
    assert UNKNOWN not in zones
    portal = processor.bikes(date(2023, 12, 10))["metrics"]["stations"]["by_arrondissement"]
    assert sum(z["stations"] for z in portal) == 1469 and UNKNOWN not in {
        z["arrondissement"] for z in portal
    }
    counters = processor.bikes(date(2021, 9, 1))["metrics"]["counters"]["by_arrondissement"]
    # 97 avenue Denfert-Rochereau (48.83504, 2.33314) is in the 14th
    assert counters == [{"arrondissement": "75014", "counters": 1, "total": 1580}]


def test_an_openweathermap_document_in_kelvin() -> None:
    doc = {
        "coord": {"lon": 2.35, "lat": 48.85},
        "main": {"temp": 285.15, "humidity": 70},
        "wind": {"speed": 4.0},
        "rain": {"1h": 0.6},
        "dt": 1730718000,  # 2024-11-04 11:00 UTC = 12:00 in Paris
    }
    store = MemoryStore()
    result = import_file(store, json.dumps(doc).encode(), name="weather.json")
    assert result.kind == "openweathermap"
    assert "/dt=2024-11-04/hour=12/" in result.keys[0]
    metrics = DayProcessor(Lake(store)).weather(date(2024, 11, 4))["metrics"]
    assert metrics["temperature"]["max"] == 12.0 and metrics["precipitation_mm"] == 0.6
