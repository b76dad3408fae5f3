"""Numbers on the real exports checked against a second computation written here from
the definitions of docs/city.md (plain pandas and json, sharing no code with the product)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd

from entrepot.city.lake import Lake
from entrepot.city.pipeline import DayProcessor
from tests.support.real_paris import CHAMPS, imported, real

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
    # "Borne de paiement disponible" is the portal's label of GBFS is_renting: a station
    # installed but not renting (station 47007 here) is not an empty one
    renting = frame["Borne de paiement disponible"].str.upper() == "OUI"
    return int((working & renting & (frame["Nombre total vélos disponibles"] == 0)).sum())


def test_empty_stations_are_counted_on_both_velib_exports() -> None:
    store, _ = imported(real("station_status.json"), real(VELIB_CSV))
    processor = DayProcessor(Lake(store))
    for day, expected in ((GBFS_DAY, _gbfs_empty()), (PORTAL_DAY, _portal_empty())):
        stations = processor.bikes(day)["metrics"]["stations"]
        assert expected > 0
        assert stations["empty_stations_mean"] == expected  # one snapshot: mean = the count
        assert [h["empty"] for h in stations["hourly"]] == [expected]  # was 0 (r.empty)
        assert stations["empty_stations_max"] == expected


def _over_capacity(frame: pd.DataFrame, bikes: str, docks: str, capacity: str) -> list[str]:
    over = frame[frame[bikes] + frame[docks] > frame[capacity]]
    return sorted(over["code"].astype(str))


def test_the_portal_snapshot_is_checked_against_its_own_capacity_column() -> None:
    frame = _portal_frame().rename(columns={"Identifiant station": "code"})
    expected = _over_capacity(
        frame, "Nombre total vélos disponibles", "Nombre bornettes libres", "Capacité de la station"
    )
    # with the 2025 station list beside it (other date, other stations), and alone
    for files in ((real(VELIB_CSV), real("station_information.json")), (real(VELIB_CSV),)):
        store, _ = imported(*files)
        doc = DayProcessor(Lake(store)).bikes(PORTAL_DAY)
        stations = doc["metrics"]["stations"]
        assert stations["capacity_source"] == "snapshot column"
        assert stations["capacity_checked"] is True
        assert stations["anomalies"] == len(expected) == 11  # 24 with the 2025 capacities
        assert stations["anomaly_stations"] == sorted(expected)[:10]
        assert not [w for w in doc["warnings"] if "capacities" in w]


def test_gbfs_status_is_checked_against_the_station_information_of_its_date() -> None:
    status = pd.DataFrame(json.loads(real("station_status.json").read_text())["data"]["stations"])
    info = pd.DataFrame(
        json.loads(real("station_information.json").read_text())["data"]["stations"]
    )
    frame = status.merge(info[["station_id", "capacity"]], on="station_id")
    frame["code"] = frame["stationCode"]
    expected = _over_capacity(frame, "num_bikes_available", "num_docks_available", "capacity")
    store, (_, information) = imported(
        real("station_status.json"), real("station_information.json")
    )
    assert information.keys[0].startswith("raw/batch/stations/20251018T")  # its own time
    doc = DayProcessor(Lake(store)).bikes(GBFS_DAY)
    stations = doc["metrics"]["stations"]
    assert stations["capacity_source"] == "station_information of 2025-10-18"
    assert stations["anomalies"] == len(expected) > 0
    assert stations["anomaly_stations"] == sorted(expected)[:10]


def test_a_station_information_of_another_date_checks_nothing_and_says_so(
    tmp_path: Path,
) -> None:
    older = tmp_path / "station_information.json"
    doc = json.loads(real("station_information.json").read_text())
    doc["lastUpdatedOther"] = 1700000000  # 2023-11-14
    older.write_text(json.dumps(doc))
    store, _ = imported(real("station_status.json"), older)
    result = DayProcessor(Lake(store)).bikes(GBFS_DAY)
    stations = result["metrics"]["stations"]
    assert stations["capacity_checked"] is False and stations["capacity_source"] is None
    assert stations["anomalies"] == 0
    assert (
        "station capacities not checked on 2025-10-18: the snapshots have no capacity column "
        "and no station_information was taken within 1 day of it (the nearest is of "
        "2023-11-14); import one of that date to check them" in result["warnings"]
    )
    # a station list of the day, imported later, is the one used
    imported(real("station_information.json"), store=store)
    assert DayProcessor(Lake(store)).bikes(GBFS_DAY)["metrics"]["stations"]["capacity_source"] == (
        "station_information of 2025-10-18"
    )


SPRING = date(2023, 3, 26)
#: The older yearly file's own header and first columns (comptages-routiers-historique-*).
CHAMPS_HEAD = (
    "4264,Av_des_Champs_Elysees,2294,Av_Champs_Elysees-Washington,2293,Av_Champs_Elysees-Berri"
)


def _spring_forward_file(folder: Path) -> Path:
    """The champs file's header and shape on 2023-03-26: a row at 02:00 (an instant Paris
    skips) and at 03:00, both "Bloqué" without measures; three "Saturé" hours without flow
    or occupancy; two "Saturé" hours with a flow only (occupancy empty)."""
    header = real(CHAMPS).read_text().split("\n", 1)[0]
    lines = [header]
    for end in range(1, 25):
        stamp = f"2023-03-{26 + end // 24} {end % 24:02d}:00:00"
        if end in (2, 3):  # 02:00 is the instant Paris skips: it collides with 03:00
            value = ",,4"
        elif end in (15, 16, 17):
            value = ",,3"
        elif end in (10, 11):
            value = "1500.0,,3"
        else:
            value = f"{800 + end}.0,12.5,1"
        lines.append(f"{CHAMPS_HEAD},{stamp},{value},3")
    path = folder / "champs-spring.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def _expected_congestion(path: Path) -> tuple[int, int]:
    # (congested hours, rows at a wall time that does not exist), from the definitions
    frame = pd.read_csv(path)
    wall = pd.to_datetime(frame["t_1h"])
    local = wall.dt.tz_localize("Europe/Paris", nonexistent="NaT", ambiguous="NaT")
    frame = frame[local.notna()]
    measured = frame["q"].notna() | frame["k"].notna()
    return int((frame["etat_trafic"].isin([3, 4]) & measured).sum()), int(local.isna().sum())


def test_states_without_measures_and_the_spring_forward_gap_are_not_congestion(
    tmp_path: Path,
) -> None:
    path = _spring_forward_file(tmp_path)
    congested, gaps = _expected_congestion(path)
    store, _ = imported(path)
    doc = DayProcessor(Lake(store)).traffic(SPRING)
    metrics = doc["metrics"]
    assert (congested, gaps) == (2, 1)
    assert metrics["lost_time_hours"] == congested  # was 6: two Bloqué, three Saturé
    assert metrics["state_hours"]["Bloqué"] == 0 and metrics["state_hours"]["Saturé"] == 2
    assert metrics["state_hours"]["Inconnu"] == 4
    assert metrics["congestion_alerts"] == [] and metrics["congested_arcs"] == 0
    assert metrics["rows"] == 23  # the day's 23 real hours
    assert (
        "1 row(s) stamped at the non-existent hour on the spring-forward day 2023-03-26 "
        "(02:00-03:00 does not exist in Paris) dropped" in doc["warnings"]
    )
    assert (
        "4 hour(s) on 2023-03-26 have a traffic state but neither flow nor occupancy "
        "(4 Saturé or Bloqué): read as Inconnu, not as congestion" in doc["warnings"]
    )
    assert not [w for w in doc["warnings"] if "duplicate" in w or "fewer rows" in w]


def test_the_real_spring_forward_day_names_the_gap_not_a_duplicate() -> None:
    store, _ = imported(real(CHAMPS))
    doc = DayProcessor(Lake(store)).traffic(SPRING)
    assert doc["metrics"]["rows"] == 23
    assert any(
        "non-existent hour on the spring-forward day 2023-03-26" in w for w in doc["warnings"]
    )
    assert not [w for w in doc["warnings"] if "duplicate" in w]
