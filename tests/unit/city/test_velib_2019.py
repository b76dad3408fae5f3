"""The 2019 Vélib' portal export, as downloaded in 2019: two kinds of docks per station
(``Nombres de bornes en station`` / ``Nombre de bornes disponibles`` and the older ``nbDock`` /
``nbFreeDock``) and a ``duedate`` that is no report time. The fixture
``tests/fixtures/city/velib-disponibilite-en-temps-reel-2019.csv`` holds six stations in that
layout; the expected numbers are computed here a second way, with pandas."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from entrepot.city.days import parse_as_of
from entrepot.city.errors import RawFormatError
from entrepot.city.imports.importer import import_file
from entrepot.city.lake import Lake
from entrepot.city.pipeline import DayProcessor
from entrepot.storage.memory import MemoryStore

FIXTURE = (
    Path(__file__).resolve().parents[2]
    / "fixtures"
    / "city"
    / "velib-disponibilite-en-temps-reel-2019.csv"
)
AS_OF = parse_as_of("2019-04-07T18:30")
DAY = date(2019, 4, 7)


def _frame() -> pd.DataFrame:
    return pd.read_csv(FIXTURE, sep=";", encoding="utf-8-sig")


def _expected(frame: pd.DataFrame) -> dict[str, int]:
    # the second computation: capacity and free docks are both kinds summed; docked bikes
    # are mechanical + e-bikes; a working station is "Operative"
    capacity = frame["Nombres de bornes en station"] + frame["nbDock"]
    free = frame["Nombre de bornes disponibles"] + frame["nbFreeDock"]
    bikes = frame["Nombre de vélo mécanique"] + frame["Nombre vélo électrique"]
    working = frame["Etat des stations"] == "Operative"
    return {
        "capacity": int(capacity.sum()),
        "docks": int(free.sum()),
        "full": int((working & (free == 0)).sum()),
        "over": int(((bikes + free) > capacity).sum()),
        "closed": int((~working).sum()),
    }


def _stations(store: MemoryStore) -> dict[str, Any]:
    stations: dict[str, Any] = DayProcessor(Lake(store)).bikes(DAY)["metrics"]["stations"]
    return stations


def _snapshot(store: MemoryStore) -> list[dict[str, Any]]:
    (key,) = [i.key for i in store.list("raw/") if "/bikes/" in i.key]
    stations: list[dict[str, Any]] = json.loads(store.get(key))["data"]["stations"]
    return stations


def test_both_kinds_of_docks_make_the_capacity_and_the_free_docks() -> None:
    frame = _frame()
    assert (frame["nbDock"] > 0).any()  # the fixture holds both kinds
    expected = _expected(frame)
    store = MemoryStore()
    result = import_file(store, FIXTURE, as_of=AS_OF)
    assert result.kind == "velib-csv" and result.rows == len(frame)
    snapshot = _snapshot(store)
    assert sum(s["capacity"] for s in snapshot) == expected["capacity"]
    assert sum(s["num_docks_available"] for s in snapshot) == expected["docks"]
    stations = _stations(store)
    assert stations["full_stations_max"] == expected["full"] == 1
    assert stations["anomalies"] == expected["over"] == 0
    assert stations["capacity_checked"] is True


def test_duedate_is_never_a_report_time() -> None:
    store = MemoryStore()
    result = import_file(store, FIXTURE, as_of=AS_OF)
    # placed at the time given, not at the latest duedate (2019-02-11)
    assert f"/dt={DAY}/hour=18/" in result.keys[0]
    snapshot = _snapshot(store)
    assert {s["last_reported"] for s in snapshot} == {int(AS_OF.timestamp())}
    stations = _stations(store)
    # only the closed station is failing, none called stale by its duedate
    assert stations["failing_sensors"] == _expected(_frame())["closed"] == 1


def test_without_as_of_the_2019_export_is_refused_not_dated_by_its_duedate() -> None:
    store = MemoryStore()
    with pytest.raises(RawFormatError, match="does not say when it was taken") as caught:
        import_file(store, FIXTURE)
    assert "--as-of" in (caught.value.hint or "")
    assert list(store.list("")) == []


def test_the_2019_geojson_export_with_api_names_is_read() -> None:
    frame = _frame()
    names = {
        "Code de la station": "station_code",
        "Nom de la station": "station_name",
        "Etat des stations": "station_state",
        "Nombre de bornes disponibles": "nbfreeedock",
        "Nombres de bornes en station": "nbedock",
        "nbFreeDock": "nbfreedock",
        "nbDock": "nbdock",
        "Nombre de vélo mécanique": "nbbike",
        "Nombre vélo électrique": "nbebike",
        "Nombre vélo en PARK+": "nbbikeoverflow",
    }
    features = []
    for record in frame.rename(columns=names).to_dict("records"):
        lat, lon = (float(x) for x in str(record.pop("geo")).split(","))
        properties = {k: v for k, v in record.items() if k in names.values() or k == "duedate"}
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": properties,
            }
        )
    doc = {"type": "FeatureCollection", "features": features}
    store = MemoryStore()
    result = import_file(store, json.dumps(doc).encode(), name="velib.geojson", as_of=AS_OF)
    assert result.kind == "velib-geojson" and result.rows == len(frame)
    expected = _expected(frame)
    snapshot = _snapshot(store)
    assert sum(s["capacity"] for s in snapshot) == expected["capacity"]
    assert sum(s["num_docks_available"] for s in snapshot) == expected["docks"]
    assert sum(s["num_bikes_available"] for s in snapshot) == int(
        (frame["Nombre de vélo mécanique"] + frame["Nombre vélo électrique"]).sum()
    )
    stations = _stations(store)
    assert stations["full_stations_max"] == expected["full"]
    assert stations["failing_sensors"] == expected["closed"]


def test_the_overflow_holds_both_kinds_of_bikes() -> None:
    # the 2019 API names in a CSV: PARK+ holds mechanical (nbbikeoverflow) and e-bikes
    # (nbebikeoverflow); before, the e-bikes there were dropped
    header = "station_code;station_state;nbedock;nbfreeedock;nbdock;nbfreedock;nbbike;nbebike"
    rows = [  # code, edocks, free edocks, docks, free docks, bikes, ebikes, park+ m, park+ e
        ("16107", 35, 20, 0, 0, 5, 2, 0, 1),
        ("11037", 20, 5, 12, 2, 14, 3, 2, 0),
        ("9020", 30, 0, 0, 0, 25, 5, 3, 4),
        ("12109", 25, 10, 6, 6, 8, 1, 0, 0),
        ("5001", 18, 18, 0, 0, 0, 0, 0, 2),
    ]
    lines = [f"{header};nbbikeoverflow;nbebikeoverflow"]
    lines += [";".join([r[0], "Operative", *(str(v) for v in r[1:])]) for r in rows]
    store = MemoryStore()
    result = import_file(store, ("\n".join(lines) + "\n").encode(), name="v.csv", as_of=AS_OF)
    assert result.kind == "velib-csv" and result.rows == len(rows)
    by_code = {s["stationCode"]: s for s in _snapshot(store)}
    for code, edocks, free_e, docks, free, bikes, ebikes, park_m, park_e in rows:
        station = by_code[code]
        assert station["num_bikes_overflow"] == park_m + park_e, code
        assert station["capacity"] == edocks + docks, code
        assert station["num_docks_available"] == free_e + free, code
        assert station["num_bikes_available"] == bikes + ebikes, code
    assert sum(s["num_bikes_overflow"] for s in by_code.values()) == 12
