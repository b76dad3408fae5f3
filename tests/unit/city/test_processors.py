"""Each processor's metrics on small hand-made inputs with known answers."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from entrepot.city import layout
from entrepot.city.bigcsv import aggregate_counts
from entrepot.city.errors import CityError, MissingInput
from entrepot.city.generator import GenerateOptions, generate
from entrepot.city.lake import Lake
from entrepot.city.messages import REASON_GUSTS, REASON_RAIN, STATES, UNKNOWN
from entrepot.city.pipeline import DayProcessor, check_types
from entrepot.city.processors.bikes import bikes_metrics
from entrepot.city.processors.disruptions import disruption_metrics
from entrepot.city.processors.roadworks import ROADWORKS_COLUMNS, roadworks_metrics
from entrepot.city.processors.traffic import traffic_metrics
from entrepot.city.processors.weather import weather_metrics
from entrepot.city.readers import read_csv
from entrepot.city.referentiel import load_referentiel, road_type
from entrepot.storage.memory import MemoryStore

DAY = date(2025, 11, 4)
COUNTS_HEADER = (
    "Identifiant arc;Libelle;Date et heure de comptage;Débit horaire;Taux d'occupation;Etat trafic"
)
REF_HEADER = "Identifiant arc;Libelle;geo_point_2d;geo_shape"
#: Arc 1 near the Opéra (75009), arc 2 near Bercy (75012); arc 3 absent from the référentiel.
REFERENTIEL = (
    REF_HEADER + "\n"
    '1;Bd_Haussmann;48.8735, 2.3320;"{""type"": ""LineString"", ""coordinates"": '
    '[[2.3320, 48.8735], [2.3330, 48.8735]]}"\n'
    '1;Bd_Haussmann;48.9, 2.2;""\n'
    "2;PI_Bercy;48.8390,2.3950;\n"
)


def _counts(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "counts.csv"
    path.write_text("\ufeff" + COUNTS_HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _stamp(hour: int) -> str:
    return f"2025-11-04T{hour:02d}:00:00+01:00" if hour < 24 else "2025-11-05T00:00:00+01:00"


def test_referentiel_one_row_per_arc_with_zone_type_and_length() -> None:
    ref = load_referentiel(REFERENTIEL.encode(), "ref.csv")
    assert ref["arc"].tolist() == [1, 2]
    assert ref["arrondissement"].tolist() == ["75009", "75012"]
    assert ref["road_type"].tolist() == ["boulevard", "périphérique"]
    assert ref.loc[0, "length_m"] == pytest.approx(73.3, abs=0.5)  # 0.001° of longitude
    assert road_type("VGP_Rive_Droite") == "voie sur berge"
    assert road_type("Xyz") == "autre"


def test_traffic_metrics(tmp_path: Path) -> None:
    rows = []
    for end in range(1, 25):  # arc 1: 100 veh/h, k 10 %, except two congested evening hours
        k, q, state = (35.0, 400.0, "Saturé") if end in (18, 19) else (10.0, 100.0, "Fluide")
        rows.append(f"1;Bd_Haussmann;{_stamp(end)};{q};{k};{state}")
    for end in range(1, 25):  # arc 2: blocked twice, otherwise fluid at 50 veh/h
        k, q, state = (60.0, 20.0, "Bloqué") if end in (8, 9) else (5.0, 50.0, "Fluide")
        rows.append(f"2;PI_Bercy;{_stamp(end)};{q};{k};{state}")
    rows += [f"3;Rue_X;{_stamp(12)};10.0;1.0;Fluide", f"3;Rue_X;{_stamp(13)};;;Inconnu"]
    agg = aggregate_counts(_counts(tmp_path, rows))
    ref = load_referentiel(REFERENTIEL.encode(), "ref.csv")
    m = traffic_metrics(agg, ref, DAY)
    assert (m["arcs"], m["arcs_with_flow"], m["arcs_without_referentiel"], m["rows"]) == (
        3,
        3,
        1,
        50,
    )
    assert m["total_flow"] == 22 * 100 + 2 * 400 + 22 * 50 + 2 * 20 + 10
    assert m["mean_flow"] == round(m["total_flow"] / 49, 1)
    assert m["max_flow"] == {"value": 400.0, "arc": 1}
    assert m["state_hours"] == {
        "Inconnu": 1,
        "Fluide": 45,
        "Pré-saturé": 0,
        "Saturé": 2,
        "Bloqué": 2,
    }
    assert m["dominant_state"] == "Fluide"
    assert m["state_hours_code"] == dict(zip(STATES, m["state_hours"].values(), strict=True))
    assert m["dominant_state_code"] == "fluid"
    assert m["lost_time_hours"] == 4
    top = m["top_arcs"][0]
    assert (top["arc"], top["arrondissement"], top["peak_hour"], top["congested_hours"]) == (
        1,
        "75009",
        17,
        2,
    )
    assert top["mean_occupancy"] == round((22 * 10 + 2 * 35) / 24, 3)
    alerts = {a["arc"]: a for a in m["congestion_alerts"]}
    assert set(alerts) == {2}  # 2 congested hours alone are no alert; any Bloqué hour is
    assert alerts[2]["level"] == "critique" and alerts[2]["level_code"] == "critical"
    assert alerts[2]["blocked_hours"] == 2
    zones = {z["arrondissement"]: z for z in m["by_arrondissement"]}
    assert set(zones) == {"75009", "75012", UNKNOWN}
    assert zones["75012"]["total_flow"] == 22 * 50 + 2 * 20
    assert [z["arrondissement"] for z in m["top_zones"]] == ["75009", "75012"]
    hourly = {h["hour"]: h for h in m["hourly"]}
    assert len(hourly) == 24
    assert hourly[23]["total_flow"] == 150.0
    assert m["peak_hour"] == 17
    assert sum(h["total_flow"] for h in m["hourly"]) == m["total_flow"]
    with pytest.raises(MissingInput, match="2025-11-06"):
        traffic_metrics(agg, ref, date(2025, 11, 6))


ROADWORKS = (
    "\ufeffIdentifiant;Code postal de l'arrondissement;Objet;Voie(s);Date de début;Date de fin;"
    "Impact sur la circulation;Niveau de perturbation;Statut;geo_point_2d\n"
    "CP1;75009;REFECTION_CHAUSSEE;Bd Haussmann;2025-11-01;2025-12-01;BARRAGE_TOTAL;1;2;"
    "48.8735, 2.3321\n"
    'CP2;75012;ENTRETIEN_RESEAU;"Quai\nde Bercy";2025-11-04;2026-01-01;RESTREINTE;2;2;48.80, 2.40\n'
    "CP3;75012;TRAVAUX_URGENCE;Rue A;2024-01-01;2025-11-04T00:00:00+01:00;SENS_UNIQUE;;4;\n"
    "CP4;75012;TRAVAUX_URGENCE;Rue B;2025-01-01;2025-12-01;RESTREINTE;1;5;\n"
    "CP5;75001;TRAVAUX_URGENCE;Rue C;2025-11-05;2025-12-01;RESTREINTE;1;1;\n"
    "CP6;;;;;;;;;\n"
)


def test_roadworks_metrics() -> None:
    frame = read_csv(ROADWORKS.encode(), "works.csv", ROADWORKS_COLUMNS)
    ref = load_referentiel(REFERENTIEL.encode(), "ref.csv")
    m = roadworks_metrics(frame, ref, DAY)
    assert m["active_works"] == 3  # CP4 is terminé, CP5 not started, CP6 empty
    assert m["invalid_rows"] == 1
    assert (m["starting_today"], m["ending_today"]) == (1, 1)
    assert m["by_impact"] == {"BARRAGE_TOTAL": 1, "RESTREINTE": 1, "SENS_UNIQUE": 1}
    assert m["by_level"] == {"tres_perturbant": 1, "perturbant": 1, "non_renseigne": 1}
    assert m["long_running"] == 1
    zones = {z["arrondissement"]: z for z in m["by_arrondissement"]}
    assert zones["75009"] == {
        "arrondissement": "75009",
        "active_works": 1,
        "score": 6.0,
        "tres_perturbant": 1,
        "total_closures": 1,
        "impacted_arcs": 1,
        "critical": True,
    }
    assert zones["75012"]["score"] == 3.0
    assert not zones["75012"]["critical"]
    assert [z["arrondissement"] for z in m["critical_zones"]] == ["75009"]
    assert m["top_works"][0]["id"] == "CP1"
    assert m["impacted_arcs"] == 1


def _read(source: str, docs: dict[int, Any], name: str = "data.json") -> Any:
    store = MemoryStore()
    for hour, doc in docs.items():
        store.put(layout.hour_prefix(source, DAY, hour) + name, json.dumps(doc).encode())
    return Lake(store).read_day(source, DAY)


def _station(
    code: str, bikes: int, docks: int, *, ebikes: int = 0, installed: int = 1, reported: int = 0
) -> dict[str, Any]:
    return {
        "station_id": int(code) * 1000,
        "stationCode": code,
        "num_bikes_available": bikes,
        "numBikesAvailable": bikes,
        "num_docks_available": docks,
        "numDocksAvailable": docks,
        "num_bikes_available_types": [{"mechanical": bikes - ebikes}, {"ebike": ebikes}],
        "is_installed": installed,
        "is_renting": installed,
        "is_returning": installed,
        "last_reported": reported,
    }


def test_station_metrics() -> None:
    docs = {}
    for hour in range(24):
        taken = 1762210800 + hour * 3600  # 2025-11-04T00:00:00+01:00 + hour
        stations = [
            _station("101", 0 if hour < 5 else 4, 10, ebikes=2 if hour >= 5 else 0, reported=taken),
            _station("102", 10, 0, reported=taken),  # always full
            _station("103", 3, 3, reported=taken - 7 * 3600),  # stale sensor
            _station("104", 0, 0, installed=0, reported=taken),  # out of service
            _station("105", 9, 9, reported=taken),  # 18 > capacity 15
        ]
        docs[hour] = {"lastUpdatedOther": taken, "ttl": 3600, "data": {"stations": stations}}
    capacity = {"101": 14, "102": 10, "103": 6, "104": 20, "105": 15}
    m = bikes_metrics(_read("bikes", docs), capacity)["stations"]
    assert m["snapshots"] == 24
    assert m["stations"] == 5
    assert m["bikes_available_lowest"] == {"hour": 0, "value": 22.0}
    assert m["bikes_available_peak"] == {"hour": 5, "value": 26.0}
    assert m["empty_stations_max"] == 1
    assert m["stations_empty_3h_or_more"] == 1
    assert m["longest_empty"] == [{"station": "101", "hours": 5}]
    assert m["full_stations_mean"] == 1.0
    assert m["failing_stations"] == ["103", "104"]
    assert m["anomaly_stations"] == ["105"]
    assert m["anomalies"] == 24
    assert m["ebike_share"] == round(19 * 2 / (5 * 22 + 19 * 26), 3)
    assert bikes_metrics(_read("bikes", docs))["stations"]["anomalies"] == 0  # no capacities


def test_counter_metrics() -> None:
    docs = {}
    for hour in range(24):
        a_count = 600 if hour == 8 else 20
        b_count = 0 if 9 <= hour < 16 else 5
        results = [
            {"id_compteur": "A", "nom_compteur": "A", "sum_counts": a_count, "date": ""},
            {"id_compteur": "B", "nom_compteur": "B", "sum_counts": b_count, "date": ""},
        ]
        docs[hour] = {"results": results if hour < 21 else results[:1]}
    m = bikes_metrics(_read("bikes", docs))["counters"]
    assert m["counters"] == 2
    assert m["total_count"] == 23 * 20 + 600 + 14 * 5
    assert m["peak_hour"] == {"hour": 8, "count": 605}
    assert m["anomalies"] == [{"counter": "A", "hour": 8, "count": 600}]
    assert m["failing"] == [{"counter": "B", "zero_hours_in_a_row": 7, "missing_hours": 3}]


def test_weather_prefers_the_latest_snapshot_and_summarises() -> None:
    def doc(temp: float) -> dict[str, Any]:
        times = [f"2025-11-03T{h:02d}:00" for h in range(24)] + [
            f"2025-11-04T{h:02d}:00" for h in range(24)
        ]
        rain = [0.0] * 48
        rain[24 + 9 : 24 + 12] = [2.0, 3.0, 1.5]  # 09-11 UTC = 10-12 Paris
        hourly = {
            "time": times,
            "temperature_2m": [temp] * 48,
            "precipitation": rain,
            "wind_gusts_10m": [55.0] * 48,
            "weather_code": [61 if r else 3 for r in rain],
        }
        return {"utc_offset_seconds": 0, "hourly": hourly}

    m = weather_metrics(_read("weather", {0: doc(20.0), 5: doc(8.0)}))
    assert m["hours_covered"] == 24  # 00:00-24:00 Paris is 23:00-23:00 UTC
    assert m["temperature"] == {"min": 8.0, "max": 8.0, "mean": 8.0}
    assert m["precipitation_mm"] == 6.5
    assert m["rainy_hours"] == 3
    assert m["dominant_weather"] == {"code": 3, "label": "nuageux"}
    assert m["mobility_impact"] == {
        "score": 3 + 10 + 15,
        "level": "modéré",
        "reasons": ["pluie 3 h (6.5 mm)", "rafales 55 km/h"],
    }
    assert m["mobility_impact_level"] == "moderate"
    assert m["mobility_impact_reasons"] == [
        {"key": REASON_RAIN, "params": {"hours": 3, "mm": 6.5}},
        {"key": REASON_GUSTS, "params": {"gust": 55}},
    ]
    assert [h["hour"] for h in m["hourly"]][:2] == [0, 1]


def test_disruptions_are_counted_once_per_day() -> None:
    def item(ident: str, effect: str, begin: str, end: str) -> dict[str, Any]:
        return {
            "id": ident,
            "severity": {"effect": effect},
            "cause": "travaux",
            "application_periods": [{"begin": begin, "end": end}],
            "impacted_objects": [{"pt_object": {"name": "Métro 1"}}],
        }

    long = item("a", "NO_SERVICE", "20251101T080000", "20251110T080000")
    short = item("b", "SIGNIFICANT_DELAYS", "20251104T070000", "20251104T090000")
    docs = {h: {"disruptions": [long] + ([short] if h in (7, 8) else [])} for h in range(24)}
    m = disruption_metrics(_read("traffic", docs))
    assert m["disruptions"] == 2
    assert m["new_today"] == 1
    assert m["severe"] == 1
    assert m["by_effect"] == {"NO_SERVICE": 1, "SIGNIFICANT_DELAYS": 1}
    assert m["top_lines"] == [{"line": "Métro 1", "disruptions": 2}]
    assert m["duration_hours"] == {"median": 109.0, "max": 216.0}
    assert m["peak_hour"] == {"hour": 7, "active": 2}


def test_every_processor_runs_on_generated_clock_change_days() -> None:
    docs = {}
    for day in (date(2025, 3, 30), date(2025, 10, 26)):
        store = MemoryStore()
        options = GenerateOptions(start=day, arcs=50, stations=20, counters=4, roadworks=30, seed=9)
        generate(store, options)
        docs[day.month] = DayProcessor(Lake(store)).run(day)
    spring, autumn = docs[3], docs[10]
    assert spring["weather"]["metrics"]["hours_covered"] == 23
    assert autumn["weather"]["metrics"]["hours_covered"] == 25
    assert autumn["bikes"]["metrics"]["stations"]["snapshots"] == 25
    assert spring["traffic"]["metrics"]["rows"] == 50 * 23
    assert autumn["traffic"]["metrics"]["rows"] == 50 * 25
    for day_docs in (spring, autumn):
        traffic = day_docs["traffic"]["metrics"]
        assert sum(h["rows"] for h in traffic["hourly"]) == traffic["rows"]
        assert all(d["warnings"] == [] for d in day_docs.values())
        json.dumps(day_docs, allow_nan=False)  # JSON-safe


def test_metric_types_are_checked() -> None:
    assert check_types(["weather", "bikes", "weather"]) == ("weather", "bikes")
    with pytest.raises(CityError, match="unknown metric type"):
        check_types(["velos"])
