"""Numbers on the real exports checked against a second computation written here from
the definitions of docs/city.md (plain pandas and json, sharing no code with the product)."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd

from entrepot.city.lake import Lake
from entrepot.city.pipeline import DayProcessor
from tests.support.real_paris import imported, real

GBFS_DAY = date(2025, 10, 18)
PORTAL_DAY = date(2023, 12, 10)
VELIB_CSV = "velib-disponibilite-en-temps-reel.csv"


def _gbfs_empty() -> int:
    stations = json.loads(real("station_status.json").read_text())["data"]["stations"]
    frame = pd.DataFrame(stations)
    empty = (frame["is_installed"] == 1) & (frame["is_renting"] == 1)
    return int((empty & (frame["num_bikes_available"] == 0)).sum())


def _portal_frame() -> pd.DataFrame:
    return pd.read_csv(real(VELIB_CSV), sep=";", encoding="utf-8-sig")


def _portal_empty() -> int:
    frame = _portal_frame()
    working = frame["Station en fonctionnement"].str.upper() == "OUI"
    return int((working & (frame["Nombre total vélos disponibles"] == 0)).sum())


def test_empty_stations_are_counted_on_both_velib_exports() -> None:
    store, _ = imported(real("station_status.json"), real(VELIB_CSV))
    processor = DayProcessor(Lake(store))
    for day, expected in ((GBFS_DAY, _gbfs_empty()), (PORTAL_DAY, _portal_empty())):
        stations = processor.bikes(day)["metrics"]["stations"]
        assert expected > 0
        assert stations["empty_stations_mean"] == expected  # one snapshot: mean = the count
        assert [h["empty"] for h in stations["hourly"]] == [expected]  # was 0 (r.empty)
        assert stations["empty_stations_max"] == expected
