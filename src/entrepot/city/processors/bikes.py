"""Bike metrics of one local day: Vélib' stations and permanent bike counters.

Each hourly file is recognised by its content: the Vélib' envelope
(``data.stations``) or records with ``num_bikes_available``; the counters'
``results`` or records with ``sum_counts``. JSON, JSON lines, CSV and Parquet files
all work (records or tables with those fields).

Stations, per snapshot: bikes and docks available, *empty* (installed, renting,
no bike) and *full* (installed, returning, no dock) stations. Anomalies: negative
counts, mechanical + e-bikes ≠ bikes, bikes + docks > capacity (the snapshot's own
capacity column, else a ``station_information`` of the same date: ``capacity_source``).
Failing sensors: a station not installed, or whose ``last_reported`` is more than 6 h
older than the snapshot.

Stations and counters are placed in arrondissements by the real polygons (a station's
record coordinates, else its ``station_information`` position; a counter's
``coordinates``): ``by_arrondissement``.

Counters: daily total per counter, hourly totals, mean and peak; an anomaly is
an hour above 5x the counter's median active hour (and above 50); a failing
sensor has ≥ 6 consecutive zero hours between 06:00 and 22:00 or misses ≥ 3 hours.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from entrepot.city.errors import RawFormatError
from entrepot.city.faults import counter_notes, site_of, station_notes
from entrepot.city.geo import parse_point
from entrepot.city.lake import DayRead, RawFile
from entrepot.city.polygons import locate
from entrepot.city.processors.common import num, ratio
from entrepot.city.readers import read_object
from entrepot.city.referentiel import UNKNOWN_ZONE
from entrepot.messages import N_, Message

STALE_SECONDS = 6 * 3600
EMPTY_HOURS_ALERT = 3
TOP = 10


def _stamped_records(file: RawFile) -> tuple[str, list[dict[str, Any]], int]:
    # the kind, the records and the snapshot's time: its feed time when the GBFS envelope
    # says it (``lastUpdatedOther``, ``last_updated``), else its partition hour
    stamp = int(file.taken_at.timestamp())
    doc = read_object(file.key, file.data)
    if isinstance(doc, pd.DataFrame):
        doc = doc.to_dict("records")
    if isinstance(doc, dict):
        if isinstance(doc.get("data"), dict) and "stations" in doc["data"]:
            feed = doc.get("lastUpdatedOther", doc.get("last_updated"))
            stamp = _int(feed) if feed is not None else stamp
            return "stations", list(doc["data"]["stations"]), stamp
        if "results" in doc:
            return "counters", list(doc["results"]), stamp
        raise RawFormatError(
            "neither a Vélib' station_status nor a counters document",
            key=file.key,
            said=Message(N_("error.city.bikes_unknown_document"), {"file": file.key}),
        )
    if isinstance(doc, list):
        first = doc[0] if doc else {}
        if "num_bikes_available" in first or "numBikesAvailable" in first:
            return "stations", doc, stamp
        if "sum_counts" in first:
            return "counters", doc, stamp
    raise RawFormatError(
        "unrecognised bike records",
        key=file.key,
        said=Message(N_("error.city.bikes_unrecognised"), {"file": file.key}),
    )


def _int(value: Any) -> int:
    if isinstance(value, str):
        return int(float(value)) if value.strip() else 0
    return 0 if value is None or value != value else int(value)


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _zones(lat: Any, lon: Any) -> list[str]:
    return [zone or UNKNOWN_ZONE for zone in locate(lat, lon)]


def _station_zones(frame: pd.DataFrame, positions: dict[str, tuple[float, float]] | None) -> None:
    # zone from a record's own coordinates, else from the station information's
    if positions:
        missing = frame["lat"].isna()
        # plain object arrays: an Arrow-backed column yields each value slowly
        ids = frame.loc[missing, "station_id"].to_numpy(dtype=object)
        codes = frame.loc[missing, "code"].to_numpy(dtype=object)
        found = [
            positions.get(i) or positions.get(c) or (float("nan"), float("nan"))
            for i, c in zip(ids, codes, strict=True)
        ]
        frame.loc[missing, "lat"] = [p[0] for p in found]
        frame.loc[missing, "lon"] = [p[1] for p in found]
    frame["zone"] = _zones(frame["lat"].to_numpy(dtype=float), frame["lon"].to_numpy(dtype=float))


def _ebikes(types: Any) -> int | None:
    if isinstance(types, list):
        for entry in types:
            if isinstance(entry, dict) and "ebike" in entry:
                return _int(entry["ebike"])
    return None


def _station_frame(files: list[tuple[RawFile, list[dict[str, Any]]]]) -> pd.DataFrame:
    rows = []
    for file, records in files:
        for i, r in enumerate(records):
            bikes = r.get("num_bikes_available", r.get("numBikesAvailable"))
            docks = r.get("num_docks_available", r.get("numDocksAvailable"))
            if bikes is None or docks is None:
                raise RawFormatError(
                    f"station record {i} lacks bikes or docks counts",
                    key=file.key,
                    said=Message(
                        N_("error.city.station_counts_missing"), {"file": file.key, "record": i}
                    ),
                )
            rows.append(
                (
                    file.key,
                    file.partition.hour,
                    str(r.get("stationCode", r.get("station_id"))),
                    str(r.get("station_id")),
                    _int(bikes),
                    _int(docks),
                    _ebikes(r.get("num_bikes_available_types")),
                    _int(r.get("is_installed", 1)),
                    _int(r.get("is_renting", 1)),
                    _int(r.get("is_returning", 1)),
                    _int(r.get("last_reported", 0)),
                    _float(r.get("lat")),
                    _float(r.get("lon")),
                    _float(r.get("capacity")),
                )
            )
    return pd.DataFrame(
        rows,
        columns=[
            "file",
            "hour",
            "code",
            "station_id",
            "bikes",
            "docks",
            "ebikes",
            "installed",
            "renting",
            "returning",
            "reported",
            "lat",
            "lon",
            "capacity",
        ],
    )


def station_metrics(
    files: list[tuple[RawFile, list[dict[str, Any]]]],
    snapshot_times: dict[str, int],
    capacity: dict[str, int] | None,
    positions: dict[str, tuple[float, float]] | None = None,
    capacity_label: str | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Vélib' metrics from the day's station snapshots (``snapshot_times``: file -> epoch);
    stations are placed by their coordinates (the record's, else ``positions``).

    A record's own ``capacity`` (the portal CSV's column) is preferred; ``capacity`` (from
    the ``station_information`` named ``capacity_label``) fills the records without one.
    With them, the stations whose last report is days old (:mod:`entrepot.city.faults`)."""
    frame = _station_frame(files)
    _station_zones(frame, positions)
    by_zone = (
        frame.groupby(["zone", "file"])
        .agg(bikes=("bikes", "sum"), stations=("code", "nunique"))
        .groupby(level="zone")
        .mean()
    )
    frame["empty"] = (frame["installed"] == 1) & (frame["renting"] == 1) & (frame["bikes"] == 0)
    frame["full"] = (frame["installed"] == 1) & (frame["returning"] == 1) & (frame["docks"] == 0)
    frame["snapshot"] = frame["file"].map(snapshot_times)
    frame["stale"] = (frame["snapshot"] - frame["reported"]) > STALE_SECONDS
    per_file = frame.groupby(["hour", "file"], sort=True).agg(
        bikes=("bikes", "sum"),
        ebikes=("ebikes", "sum"),
        docks=("docks", "sum"),
        empty=("empty", "sum"),
        full=("full", "sum"),
    )
    hourly = per_file.groupby(level="hour").mean()
    per_station = frame.groupby("code").agg(
        empty_hours=("empty", "sum"),
        full_hours=("full", "sum"),
        stale=("stale", "all"),
        installed=("installed", "max"),
    )
    anomalies = frame[
        (frame["bikes"] < 0) | (frame["docks"] < 0) | (frame["ebikes"] > frame["bikes"])
    ]
    cap, sources = _capacities(frame, capacity, capacity_label)
    if sources:
        over = (frame["bikes"] + frame["docks"]) > cap
        anomalies = frame[frame.index.isin(anomalies.index) | over.fillna(False)]
    failing = per_station[(per_station["installed"] == 0) | per_station["stale"]]
    # the longest first, ties by station code (per_station is sorted by code; a stable sort)
    long_empty = per_station[per_station["empty_hours"] >= EMPTY_HOURS_ALERT].sort_values(
        ["empty_hours"], ascending=False, kind="stable"
    )
    peak_hour = int(hourly["bikes"].idxmax())
    low_hour = int(hourly["bikes"].idxmin())
    total_bikes = float(per_file["bikes"].sum())
    day = files[0][0].partition.day
    return {
        "snapshots": len(per_file),
        "stations": int(frame["code"].nunique()),
        "bikes_available_mean": num(hourly["bikes"].mean(), 1),
        "bikes_available_peak": {"hour": peak_hour, "value": num(hourly["bikes"].max(), 1)},
        "bikes_available_lowest": {"hour": low_hour, "value": num(hourly["bikes"].min(), 1)},
        "ebike_share": ratio(float(per_file["ebikes"].sum()), total_bikes, 3),
        "docks_available_mean": num(hourly["docks"].mean(), 1),
        "empty_stations_mean": num(hourly["empty"].mean(), 1),
        "empty_stations_max": int(per_file["empty"].max()),
        "full_stations_mean": num(hourly["full"].mean(), 1),
        "full_stations_max": int(per_file["full"].max()),
        "stations_empty_3h_or_more": len(long_empty),
        "longest_empty": [
            {"station": c, "hours": int(r.empty_hours)} for c, r in long_empty.head(TOP).iterrows()
        ],
        "anomalies": len(anomalies),
        "anomaly_stations": sorted(anomalies["code"].unique().tolist())[:TOP],
        "capacity_checked": bool(sources),
        "capacity_source": ", ".join(sources) or None,
        "by_arrondissement": [
            {"arrondissement": z, "stations": num(r.stations, 1), "bikes_mean": num(r.bikes, 1)}
            for z, r in by_zone.iterrows()
        ],
        "failing_sensors": len(failing),
        "failing_stations": sorted(failing.index.tolist())[:20],
        "hourly": [
            {
                "hour": int(h),
                "bikes": num(r["bikes"], 1),
                "docks": num(r["docks"], 1),
                "empty": num(r["empty"], 1),  # r.empty is the Series' own attribute
                "full": num(r["full"], 1),
            }
            for h, r in hourly.iterrows()
        ],
    }, station_notes(frame, day)


def _capacities(
    frame: pd.DataFrame, capacity: dict[str, int] | None, label: str | None
) -> tuple[pd.Series, list[str]]:
    # each record's capacity (its own column first) and the sources that gave one
    own = frame["capacity"]
    sources = ["snapshot column"] if own.notna().any() else []
    if not capacity:
        return own, sources
    known = frame["station_id"].map(capacity).fillna(frame["code"].map(capacity))
    filled = own.isna() & known.notna()
    if filled.any():
        sources.append(label or "station_information")
    return own.fillna(known), sources


def counter_metrics(
    files: list[tuple[RawFile, list[dict[str, Any]]]],
) -> tuple[dict[str, Any], list[str]]:
    """Bike-counter metrics from the day's hourly counter files, and the counters that stop
    and the sites with several counters (:mod:`entrepot.city.faults`)."""
    rows = [
        (
            f.partition.hour,
            2 * f.partition.hour + f.fold,
            f.key,
            site_of(str(r["id_compteur"]), r.get("id_site")),
            str(r["id_compteur"]),
            str(r.get("nom_compteur", "")),
            _int(r.get("sum_counts")),
            *(parse_point(str(r.get("coordinates") or "")) or (float("nan"), float("nan"))),
        )
        for f, records in files
        for r in records
    ]
    columns = ["hour", "slot", "file", "site", "counter", "name", "count", "lat", "lon"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["zone"] = _zones(frame["lat"].to_numpy(dtype=float), frame["lon"].to_numpy(dtype=float))
    zones = frame.groupby("zone").agg(counters=("counter", "nunique"), total=("count", "sum"))
    expected_files = frame["file"].nunique()
    per_counter = frame.groupby("counter").agg(
        total=("count", "sum"), name=("name", "first"), files=("file", "nunique")
    )
    hourly = frame.groupby("hour")["count"].sum()
    anomalies, failing = [], []
    for counter, group in frame.sort_values("hour").groupby("counter"):
        active = group.loc[group["count"] > 0, "count"]
        median = float(active.median()) if not active.empty else 0.0
        spikes = group[(group["count"] > 5 * median) & (group["count"] > 50)]
        anomalies += [
            {"counter": counter, "hour": int(hour), "count": int(count)}
            for hour, count in zip(spikes["hour"], spikes["count"], strict=True)
        ]
        daytime = group[(group["hour"] >= 6) & (group["hour"] < 22)]["count"].tolist()
        run = longest = 0
        for value in daytime:
            run = run + 1 if value == 0 else 0
            longest = max(longest, run)
        missing = expected_files - int(per_counter.loc[counter, "files"])
        if longest >= 6 or missing >= 3:
            failing.append(
                {"counter": counter, "zero_hours_in_a_row": longest, "missing_hours": missing}
            )
    top = per_counter.sort_values(["total", "name"], ascending=[False, True]).head(TOP)
    return {
        "counters": len(per_counter),
        "total_count": int(frame["count"].sum()),
        "hourly_mean": num(hourly.mean(), 1),
        "peak_hour": {"hour": int(hourly.idxmax()), "count": int(hourly.max())},
        "top_counters": [
            {"counter": c, "name": r["name"], "total": int(r.total)} for c, r in top.iterrows()
        ],
        "anomalies": anomalies[:50],
        "failing_sensors": len(failing),
        "failing": failing[:20],
        "by_arrondissement": [
            {"arrondissement": z, "counters": int(r.counters), "total": int(r.total)}
            for z, r in zones.iterrows()
        ],
        "hourly": [{"hour": int(h), "count": int(v)} for h, v in hourly.items()],
    }, counter_notes(frame, files[0][0].partition.day)


def bikes_metrics(
    read: DayRead,
    capacity: dict[str, int] | None = None,
    positions: dict[str, tuple[float, float]] | None = None,
    capacity_label: str | None = None,
) -> dict[str, Any]:
    """The bike metrics of ``read.day``; ``capacity`` maps station id or code to capacity
    (from the ``station_information`` named ``capacity_label``), ``positions`` to (lat, lon).

    A variant with no record that day (no station, no counter) gives ``None``.
    """
    return bikes_day(read, capacity, positions, capacity_label)[0]


def bikes_day(
    read: DayRead,
    capacity: dict[str, int] | None = None,
    positions: dict[str, tuple[float, float]] | None = None,
    capacity_label: str | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """:func:`bikes_metrics` and the warnings of its stations and counters."""
    stations: list[tuple[RawFile, list[dict[str, Any]]]] = []
    counters: list[tuple[RawFile, list[dict[str, Any]]]] = []
    times: dict[str, int] = {}
    for file in read.files:
        kind, records, times[file.key] = _stamped_records(file)
        if records:
            (stations if kind == "stations" else counters).append((file, records))
    docks, notes = (
        station_metrics(stations, times, capacity, positions, capacity_label)
        if stations
        else (None, [])
    )
    counted, more = counter_metrics(counters) if counters else (None, [])
    return {"stations": docks, "counters": counted}, [*notes, *more]


def positions(doc: Any) -> dict[str, tuple[float, float]]:
    """Station id and code -> (lat, lon), from a checked ``station_information`` document."""
    result: dict[str, tuple[float, float]] = {}
    for s in doc["data"]["stations"]:
        if s.get("lat") is None or s.get("lon") is None:
            continue
        point = (float(s["lat"]), float(s["lon"]))
        result[str(s["station_id"])] = point
        if "stationCode" in s:
            result[str(s["stationCode"])] = point
    return result
