"""Synthetic days with the faults real exports carry, computed by the product and by the
second computation (``tests/support/city_reference``): both clock changes (with offsets and
in wall time), a month downloaded twice, empty hours, state-only rows, an arc and a
counter that stop, several counters at one site, stations empty for hours."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from entrepot.city.imports.importer import import_file
from entrepot.city.lake import Lake
from entrepot.city.pipeline import DayProcessor
from entrepot.storage.memory import MemoryStore
from tests.support.city_reference import bikes, faults, traffic, weather
from tests.support.city_reference.compare import differences

PARIS = ZoneInfo("Europe/Paris")
SPRING, AUTUMN = date(2024, 3, 31), date(2024, 10, 27)
DAYS = [SPRING - timedelta(days=1), SPRING, AUTUMN, AUTUMN + timedelta(days=1)]
LABEL_HEADER = (
    "Identifiant arc;Libelle;Date et heure de comptage;Débit horaire;Taux d'occupation;"
    "Etat trafic;Etat arc"
)
RAW_HEADER = "iu_ac,libelle,t_1h,q,k,etat_trafic,etat_barre"
AS_OF = datetime(2024, 11, 1, tzinfo=UTC)


def _hours(day: date) -> list[datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=PARIS).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), PARIS).astimezone(UTC)
    return [start + timedelta(hours=h) for h in range(int((end - start).total_seconds() // 3600))]


def _value(arc: int, n: int, at: datetime) -> tuple[str, str, str]:
    """(q, k, state) of an arc's hour, with the faults placed by arc and hour."""
    local = at.astimezone(PARIS)
    q, k = 300 + 37 * arc + 11 * n, round(4.5 + (arc * 7 + n * 3) % 55, 5)
    state = "Fluide" if k < 15 else "Pré-saturé" if k < 30 else "Saturé" if k < 50 else "Bloqué"
    if arc == 2 and local.hour in (3, 4):
        return "", "", ""  # empty hours
    if arc == 3 and local.hour in (5, 6, 7):
        return "", "", "Bloqué"  # a state without any measure
    if arc == 4:
        return "", f"{k}".replace(".", ","), state  # occupancy only, decimal comma
    if arc == 6 and local.date() == AUTUMN + timedelta(days=1):
        return "", "", "Fluide"  # a counter that stops: only labels all day
    if arc == 1 and local.date() == AUTUMN and local.hour == 8:
        return "12500.0", "130.0", "Bloqué"  # implausible: kept, named
    return f"{q}.0", f"{k}", state


def _counts_rows(arcs: range, *, bump: int = 0) -> list[tuple[int, datetime, tuple[str, ...]]]:
    rows: list[tuple[int, datetime, tuple[str, ...]]] = []
    for day in DAYS:
        for n, start in enumerate(_hours(day)):
            for arc in arcs:
                if arc == 5 and start.astimezone(PARIS).hour >= 15:
                    continue  # an arc that stops in the afternoon
                if arc == 6 and day == SPRING:
                    continue  # an arc without any row for a day
                q, k, state = _value(arc, n + bump, start)
                rows.append((arc, start + timedelta(hours=1), (q, k, state)))
    return rows


def _label_file(path: Path, rows: list[tuple[int, datetime, tuple[str, ...]]]) -> Path:
    lines = [LABEL_HEADER]
    for arc, end, (q, k, state) in rows:
        stamp = end.astimezone(PARIS).isoformat()
        lines.append(f"{arc};Arc_{arc};{stamp};{q};{k};{state or 'Inconnu'};Ouvert")
    path.write_text("\ufeff" + "\n".join(lines[:1] + lines[1:][::-1]) + "\n", encoding="utf-8")
    return path


def _wall_file(path: Path, rows: list[tuple[int, datetime, tuple[str, ...]]]) -> Path:
    codes = {"": "0", "Fluide": "1", "Pré-saturé": "2", "Saturé": "3", "Bloqué": "4"}
    lines = [RAW_HEADER]
    for arc, end, (q, k, state) in rows:
        stamp = end.astimezone(PARIS).strftime("%Y-%m-%d %H:%M:%S")
        lines.append(f"{arc},Arc_{arc},{stamp},{q},{k.replace(',', '.')},{codes[state]},1")
    # the skipped spring hour, as the yearly files carry it
    lines.append(f"1,Arc_1,{SPRING} 02:00:00,999.0,12.0,1,1")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


STOPPED, FLOW, OCCUPANCY = (
    "city.warning.arcs_stopped",
    "city.warning.implausible_flow",
    "city.warning.implausible_occupancy",
)


def _compare_traffic(paths: list[Path]) -> dict[date, list[str]]:
    """Per day, each metric that differs from the second computation and each warning
    the faults call for that the document does not carry as computed again."""
    store = MemoryStore()
    for i, path in enumerate(paths):  # oldest first
        import_file(store, path, as_of=AS_OF + timedelta(hours=i))
    docs = DayProcessor(Lake(store)).traffic_days(DAYS)
    rows = traffic.hours(paths)
    places = traffic.places(traffic.referentiel(None))
    wrong = {}
    for day in DAYS:
        expected = traffic.day_metrics(rows[rows["day"] == day], places)
        got = docs[day]
        assert isinstance(got, dict) and expected is not None, day
        found = differences(got["metrics"], expected)
        flow, occupancy = faults.implausible(rows, day)
        due = {STOPPED: faults.stopped_arcs(rows, day), FLOW: flow, OCCUPANCY: occupancy}
        found += [
            f"warning {key}: {faults.warned(got, key)} != {params}"
            for key, params in due.items()
            if faults.warned(got, key) != params
        ]
        if found:
            wrong[day] = found
    return wrong


def test_clock_changes_empty_and_state_only_hours_and_a_stopping_arc(tmp_path: Path) -> None:
    rows = _counts_rows(range(1, 7))
    assert _compare_traffic([_label_file(tmp_path / "counts.csv", rows)]) == {}
    assert _compare_traffic([_wall_file(tmp_path / "yearly.csv", rows)]) == {}


def test_a_month_downloaded_twice_keeps_the_newest_file(tmp_path: Path) -> None:
    old = _label_file(tmp_path / "old.csv", _counts_rows(range(1, 7)))
    new = _label_file(tmp_path / "new.csv", _counts_rows(range(1, 4), bump=5))
    assert _compare_traffic([old, new]) == {}


COUNTER_HEADER = (
    "Identifiant du compteur;Nom du compteur;Identifiant du site de comptage;"
    "Nom du site de comptage;Comptage horaire;Date et heure de comptage;"
    "Coordonnées géographiques"
)


def test_counters_at_one_site_stopping_and_missing_hours(tmp_path: Path) -> None:
    lines = [COUNTER_HEADER]
    for day in (AUTUMN, SPRING):
        for n, start in enumerate(_hours(day)):
            hour = start.astimezone(PARIS).hour
            if hour == 12:
                continue  # an hour no counter reported
            for c, (site, point) in enumerate((("1", "48.8350,2.3331"), ("1", "48.8350,2.3331"),
                                               ("2", "48.8566,2.3522"))):  # fmt: skip
                if c == 2 and hour >= 9:
                    continue  # a counter that stops
                count = 0 if c == 1 and 8 <= hour < 16 else (n * 13 + c * 7) % 90
                if c == 0 and hour == 18:
                    count = 900  # a spike
                stamp = start.astimezone(PARIS).isoformat()
                lines.append(
                    f"{site}-{c};Compteur {c};{site};Site {site};{count}.0;{stamp};{point}"
                )
    path = tmp_path / "counters.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = MemoryStore()
    import_file(store, path, as_of=AS_OF)
    rows = bikes.counter_rows(path)
    for day in (AUTUMN, SPRING):
        doc = DayProcessor(Lake(store)).bikes(day)
        assert differences(doc["metrics"]["counters"], bikes.counter_metrics(rows, day)) == []
        stopped = faults.warned(doc, "city.warning.counters_stopped")
        assert stopped == faults.counters_stopped(rows, day) == {"count": 1}, day
        sites = faults.warned(doc, "city.warning.counter_sites")
        assert sites == faults.shared_sites(rows, day) == {"count": 1, "counters": 2}, day


def test_station_snapshots_over_a_day_with_long_empty_stations(tmp_path: Path) -> None:
    store, snapshots = MemoryStore(), []
    lag = {5: 30_000, 9: 3 * 86_400 + 60, 11: 2 * 86_400}  # 9 and 11 last reported days ago
    for hour in range(0, 24, 2):
        at = datetime(2024, 10, 27, hour, 30, tzinfo=PARIS).astimezone(UTC)
        stations = [
            {
                "station_id": 1000 + s, "stationCode": f"{s:05d}",
                "num_bikes_available": 0 if (s % 3 == 0 and hour < 12) else (s + hour) % 9,
                "num_docks_available": (s * 5 + hour) % 11,
                "num_bikes_available_types": [{"mechanical": 1}, {"ebike": (s + hour) % 4}],
                "is_installed": int(s != 7), "is_renting": int(s != 7), "is_returning": 1,
                "last_reported": int(at.timestamp()) - lag.get(s, 60),
            }
            for s in range(1, 25)
        ]  # fmt: skip
        doc = {"lastUpdatedOther": int(at.timestamp()), "ttl": 3600, "data": {"stations": stations}}
        path = tmp_path / f"status-{hour}.json"
        path.write_text(json.dumps(doc))
        import_file(store, path, as_of=AS_OF)
        snapshots.append(bikes.gbfs_snapshot(path, None))
    day = DayProcessor(Lake(store)).bikes(AUTUMN)
    got = day["metrics"]["stations"]
    assert got["stations_empty_3h_or_more"] == 8
    assert differences(got, bikes.station_metrics(snapshots, None)) == []
    stale = faults.warned(day, "city.warning.stale_stations")
    assert stale == faults.stale_stations(snapshots) == {"count": 2, "days": 3}


def test_open_meteo_over_both_clock_changes_with_missing_values(tmp_path: Path) -> None:
    for day in (SPRING, AUTUMN):
        start = datetime.combine(day - timedelta(days=1), datetime.min.time(), UTC)
        times = [start + timedelta(hours=h) for h in range(72)]
        hourly = {
            "time": [t.strftime("%Y-%m-%dT%H:%M") for t in times],
            "temperature_2m": [None if h in (30, 31) else 8 + (h % 24) / 4 for h in range(72)],
            "precipitation": [round(((h * 7) % 5) / 10, 1) if h % 6 else None for h in range(72)],
            "wind_speed_10m": [float(10 + h % 17) for h in range(72)],
            "wind_gusts_10m": [float(30 + h % 31) for h in range(72)],
            "weather_code": [(0, 3, 61)[h % 3] for h in range(72)],
        }  # fmt: skip
        doc = {"latitude": 48.86, "longitude": 2.34, "utc_offset_seconds": 0, "timezone": "GMT",
               "hourly": hourly}  # fmt: skip
        path = tmp_path / f"open-meteo-{day}.json"
        path.write_text(json.dumps(doc))
        store = MemoryStore()
        import_file(store, path, as_of=AS_OF)
        wide = weather.open_meteo_hours(path)
        got = weather.comparable(DayProcessor(Lake(store)).weather(day)["metrics"])
        assert got["hours_covered"] == len(_hours(day))
        assert differences(got, weather.day_metrics(wide, day)) == [], day
