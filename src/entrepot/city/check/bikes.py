"""Bike metrics of a day, recomputed from the bikes hour partitions
(``raw/api/bikes/dt=DAY/hour=HH/*.json``) in plain Python, from the definitions of
``docs/city.md`` ("Vélib' stations", "Bike counters"), sharing nothing with the bikes
processor.

A station snapshot (GBFS ``data.stations``) counts in its partition's hour: the day's
figures are the means over the hours of each hour's mean over its snapshots; a station is
empty when installed, renting and without a bike, full when installed, returning and
without a free dock; the e-bike share is all e-bikes over all bikes. A counters document
(``results``) gives each counter's count in its partition's hour.

What is recomputed: the stations' snapshots, stations, bikes, docks, empty and full
stations (means, maxima, peak and lowest hours, every hour) and e-bike share; the counters'
count, total, hourly mean, peak hour, every hour and the ten counters with the most.
:data:`NOT_CHECKED` names the rest.
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from datetime import date
from typing import Any

from entrepot.city import layout
from entrepot.city.check.traffic import Lake, Recomputed
from entrepot.city.check.values import rounded

#: Stored bike metrics this module does not recompute (they need places, capacities,
#: the sensors' history or rankings).
NOT_CHECKED = (
    "bikes.stations.by_arrondissement",
    "bikes.stations.anomalies",
    "bikes.stations.anomaly_stations",
    "bikes.stations.capacity_checked",
    "bikes.stations.capacity_source",
    "bikes.stations.stations_empty_3h_or_more",
    "bikes.stations.longest_empty",
    "bikes.stations.failing_sensors",
    "bikes.stations.failing_stations",
    "bikes.counters.anomalies",
    "bikes.counters.failing_sensors",
    "bikes.counters.failing",
    "bikes.counters.by_arrondissement",
)


TOP = 10


class Unreadable(Exception):
    """A bikes object this check does not read (another shape or format)."""


def _number(value: Any) -> int:
    return int(float(value)) if value not in (None, "") else 0


def _document(key: str, data: bytes) -> Any:
    if key.endswith(".gz"):
        data = gzip.decompress(data)
    elif not key.endswith(".json"):
        raise Unreadable(key)
    return json.loads(data.decode("utf-8"))


def day_files(store: Lake, day: date) -> list[tuple[int, str, Any]] | None:
    """``(hour, kind, records)`` of each bikes object of ``day`` (``kind``: ``stations`` or
    ``counters``); None without any; raises :class:`Unreadable` for another kind."""
    keys = [i.key for i in store.list(f"{layout.source_prefix('bikes')}dt={day.isoformat()}/")]
    keys = sorted(k for k in keys if not k.rsplit("/", 1)[-1].startswith("_"))
    if not keys:
        return None
    out = []
    for key in keys:
        hour = int(key.split("/hour=", 1)[1][:2])
        doc = _document(key, store.get(key))
        if isinstance(doc, dict) and isinstance(doc.get("data"), dict):
            out.append((hour, "stations", list(doc["data"].get("stations", []))))
        elif isinstance(doc, dict) and isinstance(doc.get("results"), list):
            out.append((hour, "counters", doc["results"]))
        else:
            raise Unreadable(key)
    return out


def _ebikes(types: Any) -> int | None:
    for entry in types if isinstance(types, list) else []:
        if isinstance(entry, dict) and "ebike" in entry:
            return _number(entry["ebike"])
    return None


def _snapshot(records: list[dict[str, Any]]) -> dict[str, float]:
    totals = {"bikes": 0.0, "docks": 0.0, "ebikes": 0.0, "empty": 0.0, "full": 0.0}
    for r in records:
        bikes = _number(r.get("num_bikes_available", r.get("numBikesAvailable")))
        docks = _number(r.get("num_docks_available", r.get("numDocksAvailable")))
        installed = _number(r.get("is_installed", 1)) == 1
        totals["bikes"] += bikes
        totals["docks"] += docks
        totals["ebikes"] += _ebikes(r.get("num_bikes_available_types")) or 0
        totals["empty"] += installed and _number(r.get("is_renting", 1)) == 1 and bikes == 0
        totals["full"] += installed and _number(r.get("is_returning", 1)) == 1 and docks == 0
    return totals


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def stations(files: list[tuple[int, list[dict[str, Any]]]]) -> Recomputed:
    """The recomputed ``stations`` metrics of the day's snapshots."""
    snapshots = [(hour, _snapshot(records)) for hour, records in files]
    by_hour: dict[int, list[dict[str, float]]] = defaultdict(list)
    for hour, totals in snapshots:
        by_hour[hour].append(totals)
    hourly = {
        h: {v: _mean([s[v] for s in shots]) for v in ("bikes", "docks", "empty", "full")}
        for h, shots in sorted(by_hour.items())
    }
    bikes = {h: v["bikes"] for h, v in hourly.items()}
    peak = min(h for h in bikes if bikes[h] == max(bikes.values()))
    low = min(h for h in bikes if bikes[h] == min(bikes.values()))
    all_bikes = sum(s["bikes"] for _, s in snapshots)
    codes = {str(r.get("stationCode", r.get("station_id"))) for _, rs in files for r in rs}
    out: Recomputed = {
        "snapshots": (len(snapshots), None),
        "stations": (len(codes), None),
        "bikes_available_mean": (rounded(_mean(list(bikes.values())), 1), 1),
        "bikes_available_peak.hour": (peak, None),
        "bikes_available_peak.value": (rounded(bikes[peak], 1), 1),
        "bikes_available_lowest.hour": (low, None),
        "bikes_available_lowest.value": (rounded(bikes[low], 1), 1),
        "ebike_share": (
            rounded(sum(s["ebikes"] for _, s in snapshots) / all_bikes, 3) if all_bikes else None,
            3,
        ),
        "empty_stations_max": (int(max(s["empty"] for _, s in snapshots)), None),
        "full_stations_max": (int(max(s["full"] for _, s in snapshots)), None),
    }
    for name, field in (("docks_available_mean", "docks"), ("empty_stations_mean", "empty"),
                        ("full_stations_mean", "full")):  # fmt: skip
        out[name] = (rounded(_mean([v[field] for v in hourly.values()]), 1), 1)
    for hour, values in hourly.items():
        for field, value in values.items():
            out[f"hourly.hour={hour}.{field}"] = (rounded(value, 1), 1)
    return {f"stations.{k}": v for k, v in out.items()}


def counters(files: list[tuple[int, list[dict[str, Any]]]]) -> Recomputed:
    """The recomputed ``counters`` metrics of the day's counter documents."""
    hourly: dict[int, int] = defaultdict(int)
    totals: dict[str, int] = defaultdict(int)
    names: dict[str, str] = {}
    for hour, records in files:
        for r in records:
            count = _number(r.get("sum_counts"))
            hourly[hour] += count
            totals[str(r["id_compteur"])] += count
            names.setdefault(str(r["id_compteur"]), str(r.get("nom_compteur", "")))
    peak = max(hourly.values())
    out: Recomputed = {
        "counters": (len(totals), None),
        "total_count": (sum(hourly.values()), None),
        "hourly_mean": (rounded(_mean([float(v) for v in hourly.values()]), 1), 1),
        "peak_hour.hour": (min(h for h, v in hourly.items() if v == peak), None),
        "peak_hour.count": (peak, None),
    }
    for hour, count in sorted(hourly.items()):
        out[f"hourly.hour={hour}.count"] = (count, None)
    ranked = sorted(totals, key=lambda c: (-totals[c], names[c]))
    for rank, counter in enumerate(ranked[:TOP]):
        out[f"top_counters.{rank}.counter"] = (counter, None)
        out[f"top_counters.{rank}.name"] = (names[counter], None)
        out[f"top_counters.{rank}.total"] = (totals[counter], None)
    return {f"counters.{k}": v for k, v in out.items()}


def day_metrics(files: list[tuple[int, str, Any]]) -> Recomputed | None:
    """The recomputed bikes metrics of the day's objects; None without any."""
    shots = [(h, r) for h, kind, r in files if kind == "stations"]
    counted = [(h, r) for h, kind, r in files if kind == "counters"]
    if not shots and not counted:
        return None
    out: Recomputed = {}
    out.update(stations(shots) if shots else {"stations": (None, None)})
    out.update(counters(counted) if counted else {"counters": (None, None)})
    return out
