"""Vélib' station and bike-counter metrics of a Paris day, from the exports as downloaded.

Stations (docs/city.md, "Vélib' stations"): a snapshot is stamped at its feed time (GBFS
``lastUpdatedOther``; the portal CSV's latest ``Actualisation de la donnée``) and counted
in the Paris hour holding it. Counters: ``Date et heure de comptage`` is the start of the
counted hour.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from tests.support.city_reference.places import point, zone

TOP, STALE_S = 10, 6 * 3600
PARIS = "Europe/Paris"


def _r(value: float, digits: int) -> float | None:
    return None if value != value else round(float(value), digits)


def gbfs_snapshot(status: Path, information: Path | None) -> pd.DataFrame:
    """One row per station record of a ``station_status.json``; capacities and positions
    from ``information`` (pass it only when it was taken within a day of the snapshot)."""
    doc = json.loads(status.read_text(encoding="utf-8"))
    at = datetime.fromtimestamp(int(doc["lastUpdatedOther"]), UTC)
    frame = pd.DataFrame(doc["data"]["stations"])
    ebikes = [
        next((int(t["ebike"]) for t in types if "ebike" in t), None)
        for types in frame["num_bikes_available_types"]
    ]
    out = pd.DataFrame(
        {
            "code": frame["stationCode"].astype(str),
            "id": frame["station_id"].astype(str),
            "bikes": frame["num_bikes_available"].astype(int),
            "docks": frame["num_docks_available"].astype(int),
            "ebikes": ebikes,
            "installed": frame["is_installed"].astype(int),
            "renting": frame["is_renting"].astype(int),
            "returning": frame["is_returning"].astype(int),
            "reported": frame["last_reported"].astype(int),
        }
    )
    out["capacity"], out["lat"], out["lon"] = float("nan"), float("nan"), float("nan")
    if information is not None:
        info = json.loads(information.read_text(encoding="utf-8"))["data"]["stations"]
        by_id = {str(s["station_id"]): s for s in info}
        out["capacity"] = [
            float(by_id[i]["capacity"]) if i in by_id else float("nan") for i in out["id"]
        ]
        out["lat"] = [float(by_id[i]["lat"]) if i in by_id else float("nan") for i in out["id"]]
        out["lon"] = [float(by_id[i]["lon"]) if i in by_id else float("nan") for i in out["id"]]
    out["at"] = at
    return out


def portal_snapshot(path: Path) -> pd.DataFrame:
    """One row per station of the portal's "Vélib' - disponibilité en temps réel" CSV."""
    frame = pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    updated = pd.to_datetime(frame["Actualisation de la donnée"], utc=True, format="ISO8601")
    points = [point(p) for p in frame["Coordonnées géographiques"]]
    working = frame["Station en fonctionnement"].str.upper().eq("OUI").astype(int)
    out = pd.DataFrame(
        {
            "code": frame["Identifiant station"],
            "id": frame["Identifiant station"],
            "bikes": frame["Nombre total vélos disponibles"].astype(int),
            "docks": frame["Nombre bornettes libres"].astype(int),
            "ebikes": frame["Vélos électriques disponibles"].astype(int),
            "installed": working,
            # the portal's label of GBFS is_renting (installed stations that neither rent
            # nor take bikes back say NON in it and in "Retour vélib possible")
            "renting": frame["Borne de paiement disponible"].str.upper().eq("OUI").astype(int),
            "returning": frame["Retour vélib possible"].str.upper().eq("OUI").astype(int),
            "reported": [int(t.timestamp()) for t in updated],
            "capacity": pd.to_numeric(frame["Capacité de la station"], errors="coerce"),
            "lat": [p[0] if p else float("nan") for p in points],
            "lon": [p[1] if p else float("nan") for p in points],
        }
    )
    out["at"] = updated.max().to_pydatetime()
    return out


def station_metrics(snapshots: Sequence[pd.DataFrame], source: str | None) -> dict[str, Any]:
    """The ``stations`` metrics of one day's snapshots (``source``: where capacities came
    from, None when none is known)."""
    frames = []
    for n, snap in enumerate(snapshots):
        snap = snap.copy()
        snap["snapshot"] = n
        snap["hour"] = pd.Timestamp(snap["at"].iloc[0]).tz_convert(PARIS).hour
        frames.append(snap)
    rows = pd.concat(frames, ignore_index=True)
    rows["zone"] = [zone(a, o) for a, o in zip(rows["lat"], rows["lon"], strict=True)]
    rows["empty"] = rows["installed"].eq(1) & rows["renting"].eq(1) & rows["bikes"].eq(0)
    rows["full"] = rows["installed"].eq(1) & rows["returning"].eq(1) & rows["docks"].eq(0)
    epoch = rows["at"].map(lambda t: int(pd.Timestamp(t).timestamp()))
    rows["stale"] = epoch - rows["reported"] > STALE_S
    per_snapshot = rows.groupby(["hour", "snapshot"]).agg(
        bikes=("bikes", "sum"), ebikes=("ebikes", "sum"), docks=("docks", "sum"),
        empty=("empty", "sum"), full=("full", "sum"),
    )  # fmt: skip
    hourly = per_snapshot.groupby(level="hour").mean()
    over = (rows["bikes"] + rows["docks"]) > rows["capacity"]
    odd = rows["bikes"].lt(0) | rows["docks"].lt(0) | (rows["ebikes"] > rows["bikes"]) | over
    empty_counts = rows.groupby("code")["empty"].sum()
    long_empty = sorted(
        ((c, int(n)) for c, n in empty_counts.items() if n >= 3), key=lambda x: (-x[1], x[0])
    )
    station = rows.groupby("code").agg(installed=("installed", "max"), stale=("stale", "all"))
    failing = sorted(station.index[(station["installed"] == 0) | station["stale"]])
    zones = (
        rows.groupby(["zone", "snapshot"])
        .agg(bikes=("bikes", "sum"), stations=("code", "nunique"))
        .groupby(level="zone")
        .mean()
    )
    peak = hourly["bikes"].idxmax()
    low = hourly["bikes"].idxmin()
    return {
        "snapshots": len(per_snapshot),
        "stations": rows["code"].nunique(),
        "bikes_available_mean": _r(hourly["bikes"].mean(), 1),
        "bikes_available_peak": {"hour": int(peak), "value": _r(hourly["bikes"].max(), 1)},
        "bikes_available_lowest": {"hour": int(low), "value": _r(hourly["bikes"].min(), 1)},
        "ebike_share": _r(per_snapshot["ebikes"].sum() / per_snapshot["bikes"].sum(), 3),
        "docks_available_mean": _r(hourly["docks"].mean(), 1),
        "empty_stations_mean": _r(hourly["empty"].mean(), 1),
        "empty_stations_max": int(per_snapshot["empty"].max()),
        "full_stations_mean": _r(hourly["full"].mean(), 1),
        "full_stations_max": int(per_snapshot["full"].max()),
        "stations_empty_3h_or_more": len(long_empty),
        "longest_empty": [{"station": c, "hours": n} for c, n in long_empty[:TOP]],
        "anomalies": int(odd.sum()),
        "anomaly_stations": sorted(set(rows.loc[odd, "code"]))[:TOP],
        "capacity_checked": source is not None,
        "capacity_source": source,
        "by_arrondissement": [
            {"arrondissement": z, "stations": _r(r["stations"], 1), "bikes_mean": _r(r["bikes"], 1)}
            for z, r in zones.iterrows()
        ],
        "failing_sensors": len(failing),
        "failing_stations": failing[:20],
        "hourly": [
            {
                "hour": int(h),
                "bikes": _r(r["bikes"], 1),
                "docks": _r(r["docks"], 1),
                "empty": _r(r["empty"], 1),
                "full": _r(r["full"], 1),
            }
            for h, r in hourly.iterrows()
        ],
    }


def counter_rows(path: Path) -> pd.DataFrame:
    """``counter, site, name, count, day, hour, zone`` of a bike-counter export."""
    frame = pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    start = pd.to_datetime(frame["Date et heure de comptage"], utc=True, format="ISO8601")
    local = start.dt.tz_convert(PARIS)
    points = [point(p) for p in frame["Coordonnées géographiques"]]
    return pd.DataFrame(
        {
            "counter": frame["Identifiant du compteur"],
            "site": frame.get("Identifiant du site de comptage", frame["Identifiant du compteur"]),
            "name": frame["Nom du compteur"],
            "count": pd.to_numeric(frame["Comptage horaire"]).round().astype(int),
            "start": start,
            "day": local.dt.date,
            "hour": local.dt.hour,
            "zone": [zone(p[0], p[1]) if p else zone(None, None) for p in points],
        }
    )


def _longest_zero_run(counts: list[int]) -> int:
    longest = run = 0
    for value in counts:
        run = run + 1 if value == 0 else 0
        longest = max(longest, run)
    return longest


def counter_metrics(rows: pd.DataFrame, day: date) -> dict[str, Any] | None:
    """The ``counters`` metrics of ``day`` (None without a counted hour that day)."""
    today = rows[rows["day"] == day].sort_values(["start", "counter"])
    if today.empty:
        return None
    hourly = today.groupby("hour")["count"].sum()
    hours_with_data = today["start"].nunique()
    anomalies, failing = [], []
    for counter, group in today.groupby("counter", sort=True):
        positive = group.loc[group["count"] > 0, "count"]
        median = float(positive.median()) if len(positive) else 0.0
        spikes = group[(group["count"] > 5 * median) & (group["count"] > 50)]
        anomalies += [
            {"counter": counter, "hour": int(h), "count": int(c)}
            for h, c in zip(spikes["hour"], spikes["count"], strict=True)
        ]
        daytime = group.loc[(group["hour"] >= 6) & (group["hour"] < 22), "count"].tolist()
        zeros = _longest_zero_run(daytime)
        missing = hours_with_data - group["start"].nunique()
        if zeros >= 6 or missing >= 3:
            failing.append(
                {"counter": counter, "zero_hours_in_a_row": zeros, "missing_hours": missing}
            )
    totals = today.groupby("counter").agg(total=("count", "sum"), name=("name", "first"))
    top = sorted(totals.itertuples(), key=lambda r: (-r.total, r.name))[:TOP]
    zones = today.groupby("zone").agg(counters=("counter", "nunique"), total=("count", "sum"))
    peak = hourly.max()
    return {
        "counters": len(totals),
        "total_count": int(today["count"].sum()),
        "hourly_mean": _r(hourly.mean(), 1),
        "peak_hour": {"hour": int(hourly[hourly == peak].index.min()), "count": int(peak)},
        "top_counters": [{"counter": r.Index, "name": r.name, "total": int(r.total)} for r in top],
        "anomalies": anomalies[:50],
        "failing_sensors": len(failing),
        "failing": failing[:20],
        "by_arrondissement": [
            {"arrondissement": z, "counters": int(r.counters), "total": int(r.total)}
            for z, r in zones.iterrows()
        ],
        "hourly": [{"hour": int(h), "count": int(v)} for h, v in hourly.items()],
    }
