"""Hourly bike snapshots: Vélib' ``station_status`` in its real envelope, and bike counters.

Vélib' (``docs/city-formats.md`` §1.4): envelope
``{"lastUpdatedOther": epoch, "ttl": 3600, "data": {"stations": [...]}}``, int64
``station_id``, string ``stationCode``, snake and camelCase duplicates,
``num_bikes_available_types`` as a list of single-key dicts; per station a type
(residential / business / mixed) drives the fill fraction
``f(h) = 0.45 ± 0.3 sin(2π(h - 7)/24)``; 1-2 % stations out of service, some
``last_reported`` stale by months.

Counters (the original's variant): ``{"results": [{id_compteur, nom_compteur,
sum_counts, date, coordinates}]}`` with hourly ``Poisson(λ x profile)`` counts and
a few counters stuck at zero for hours (failing sensors).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from entrepot.city.days import LocalHour
from entrepot.city.geo import PARIS_BBOX
from entrepot.city.synth.common import STREETS, day_rng, rng


@dataclass(frozen=True)
class Stations:
    """The static description of the Vélib' stations."""

    ids: list[int]
    codes: list[str]
    names: list[str]
    lat: list[float]
    lon: list[float]
    capacity: npt.NDArray[np.int64]
    sign: npt.NDArray[np.float64]
    ebike_share: npt.NDArray[np.float64]
    status: npt.NDArray[np.int64]
    stale_by: npt.NDArray[np.int64]
    card: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.ids)


def make_stations(count: int, seed: int) -> Stations:
    """Draw ``count`` stations deterministically."""
    g = rng(seed, "stations")
    (lat0, lat1), (lon0, lon1) = PARIS_BBOX
    ids = (g.choice(10**9, size=count, replace=False) + 10**8 * g.integers(1, 200, count)).tolist()
    codes = [str(c) for c in g.choice(np.arange(1001, 44000), size=count, replace=False)]
    names = [
        f"{STREETS[a].replace('_', ' ')} - {STREETS[b].replace('_', ' ')}"
        for a, b in g.integers(0, len(STREETS), (count, 2)).tolist()
    ]
    capacity = np.clip(np.rint(g.lognormal(np.log(30), 0.3, count)), 8, 78).astype(np.int64)
    capacity[g.random(count) < 0.01] = 0
    kind = g.choice(3, size=count, p=[0.45, 0.35, 0.2])  # residential, business, mixed
    status = g.choice(3, size=count, p=[0.98, 0.012, 0.008])  # ok, (1,0,0), (0,0,0)
    stale = np.where(g.random(count) < 0.005, g.integers(30, 3000, count) * 86400, 0)
    return Stations(
        ids=ids,
        codes=codes,
        names=names,
        lat=np.round(g.uniform(lat0, lat1, count), 6).tolist(),
        lon=np.round(g.uniform(lon0, lon1, count), 6).tolist(),
        capacity=capacity,
        sign=np.choose(kind, [-1.0, 1.0, 0.3]),
        ebike_share=g.uniform(0.25, 0.5, count),
        status=status.astype(np.int64),
        stale_by=stale.astype(np.int64),
        card=g.random(count) < 0.58,
    )


def station_information(stations: Stations, updated: int) -> dict[str, Any]:
    """The ``station_information.json`` document."""
    rows = []
    for i in range(len(stations)):
        row: dict[str, Any] = {
            "station_id": stations.ids[i],
            "stationCode": stations.codes[i],
            "name": stations.names[i],
            "lat": stations.lat[i],
            "lon": stations.lon[i],
            "capacity": int(stations.capacity[i]),
            "station_opening_hours": None,
        }
        if stations.card[i]:
            row["rental_methods"] = ["CREDITCARD"]
        rows.append(row)
    return {"lastUpdatedOther": updated, "ttl": 3600, "data": {"stations": rows}}


def station_status(stations: Stations, hour: LocalHour, seed: int) -> dict[str, Any]:
    """The ``station_status.json`` snapshot taken at the start of ``hour`` (the cron's HH:00)."""
    g = day_rng(seed, "bikes", hour.start.date(), hour.hour, hour.fold)
    n = len(stations)
    snap = int(hour.start.timestamp())
    amplitude = 0.3 if hour.start.weekday() < 5 else 0.12
    h = float(hour.start.hour)
    fill = 0.45 + stations.sign * amplitude * np.sin(2 * np.pi * (h - 7) / 24)
    fill = np.clip(fill + g.normal(0, 0.12, n), 0, 1)
    cap = stations.capacity
    bikes = np.minimum(np.rint(fill * cap * 0.9).astype(np.int64), cap)
    disabled = np.minimum(g.integers(0, 3, n), cap - bikes)
    docks = cap - bikes - disabled
    ebikes = np.rint(bikes * stations.ebike_share).astype(np.int64)
    reported = snap - g.integers(0, 1800, n) - stations.stale_by
    rows = []
    for i in range(n):
        status = int(stations.status[i])
        b, d, e = (0, 0, 0) if status == 2 else (int(bikes[i]), int(docks[i]), int(ebikes[i]))
        installed, renting = (1, 1) if status == 0 else ((1, 0) if status == 1 else (0, 0))
        rows.append(
            {
                "station_id": stations.ids[i],
                "num_bikes_available": b,
                "numBikesAvailable": b,
                "num_bikes_available_types": [{"mechanical": b - e}, {"ebike": e}],
                "num_docks_available": d,
                "numDocksAvailable": d,
                "is_installed": installed,
                "is_returning": renting,
                "is_renting": renting,
                "last_reported": int(reported[i]),
                "stationCode": stations.codes[i],
                "station_opening_hours": None,
            }
        )
    return {"lastUpdatedOther": snap, "ttl": 3600, "data": {"stations": rows}}


def _bike_profile(hour: float, weekend: bool) -> float:
    if weekend:
        return float(0.15 + 0.6 * np.exp(-0.5 * ((hour - 15) / 3.5) ** 2))
    morning = np.exp(-0.5 * ((hour - 8.5) / 1.2) ** 2)
    evening = np.exp(-0.5 * ((hour - 18) / 1.5) ** 2)
    return float(
        0.08 + 1.0 * morning + 0.9 * evening + 0.25 * np.exp(-0.5 * ((hour - 13) / 2) ** 2)
    )


def counter_snapshot(count: int, hour: LocalHour, seed: int) -> dict[str, Any]:
    """Hourly counts of ``count`` permanent bike counters for ``hour``."""
    g = rng(seed, "counters")
    lam = g.lognormal(np.log(80), 0.8, count)
    lat0, lat1 = PARIS_BBOX[0]
    lon0, lon1 = PARIS_BBOX[1]
    lat = np.round(g.uniform(lat0, lat1, count), 6).tolist()
    lon = np.round(g.uniform(lon0, lon1, count), 6).tolist()
    streets = g.integers(0, len(STREETS), count).tolist()
    day: date = hour.start.date()
    d = day_rng(seed, "counters", day, hour.hour, hour.fold)
    broken = day_rng(seed, "counters", day).random(count) < 0.05
    broken_from = day_rng(seed, "counters", day, 99).integers(0, 18, count)
    profile = _bike_profile(hour.start.hour + 0.5, hour.start.weekday() >= 5)
    counts = d.poisson(lam * profile)
    counts[broken & (hour.start.hour >= broken_from)] = 0
    results = [
        {
            "id_compteur": f"1000{i:05d}-{10**8 + i * 7919}",
            "nom_compteur": f"{10 + i % 180} {STREETS[streets[i]].replace('_', ' ')} NE-SO",
            "sum_counts": int(counts[i]),
            "date": hour.start.isoformat(),
            "coordinates": {"lon": lon[i], "lat": lat[i]},
        }
        for i in range(count)
    ]
    return {"total_count": count, "results": results}
