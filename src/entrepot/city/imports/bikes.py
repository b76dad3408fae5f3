"""Bike exports -> the bikes partitions: GBFS ``station_status`` as it came, the portal's
Vélib' CSV as a GBFS-shaped snapshot, the bike-counter export as hourly ``results``.

Counter timestamps (``Date et heure de comptage``) are the *start* of the counted hour,
so a file holding a day lands hour by hour in that day's partitions.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from entrepot.city.errors import RawFormatError
from entrepot.city.geo import parse_point
from entrepot.city.imports.csvrows import BadValues, rows
from entrepot.city.imports.records import Placed, Series

_YES = {"OUI", "YES", "1", "TRUE"}


def gbfs_status(doc: dict[str, Any], name: str) -> Series:
    """The status feed, placed at its own update time (``lastUpdatedOther``/``last_updated``,
    else the latest ``last_reported``)."""
    stations = doc["data"]["stations"]
    stamp = doc.get("lastUpdatedOther", doc.get("last_updated"))
    if stamp is None:
        reported = [int(s.get("last_reported", 0) or 0) for s in stations]
        stamp = max(reported, default=0)
    if not stamp:
        raise RawFormatError(f"{name}: a station_status without any time", key=name)
    at = datetime.fromtimestamp(int(stamp), UTC)
    return Series([Placed("bikes", at, "station_status", doc)], rows=len(stations))


def velib_csv(text: str, sep: str, name: str) -> Series:
    """The portal's availability export: one snapshot at its latest update time."""
    bad = BadValues(name)
    stations: list[dict[str, Any]] = []
    latest: datetime | None = None
    for line, row in rows(text, sep):
        updated = bad.instant(line, row, "Actualisation de la donnée")
        if updated is None:
            continue
        latest = updated if latest is None else max(latest, updated)
        numbers = {
            column: bad.number(line, row, column)
            for column in (
                "Nombre total vélos disponibles",
                "Nombre bornettes libres",
                "Vélos mécaniques disponibles",
                "Vélos électriques disponibles",
                "Capacité de la station",
            )
        }
        bikes, docks = numbers["Nombre total vélos disponibles"], numbers["Nombre bornettes libres"]
        if bikes is None or docks is None:
            continue
        working = row.get("Station en fonctionnement", "").upper() in _YES
        stations.append(
            {
                "stationCode": row.get("Identifiant station", ""),
                "station_id": row.get("Identifiant station", ""),
                "num_bikes_available": int(bikes),
                "num_docks_available": int(docks),
                "num_bikes_available_types": [
                    {"mechanical": int(numbers["Vélos mécaniques disponibles"] or 0)},
                    {"ebike": int(numbers["Vélos électriques disponibles"] or 0)},
                ],
                "capacity": None
                if numbers["Capacité de la station"] is None
                else int(numbers["Capacité de la station"] or 0),
                "is_installed": int(working),
                "is_renting": int(working),
                "is_returning": int(row.get("Retour vélib possible", "").upper() in _YES),
                "last_reported": int(updated.timestamp()),
                **_point(row.get("Coordonnées géographiques", "")),
            }
        )
    warnings = bad.check(len(stations) + bad.count)
    if latest is None or not stations:
        raise RawFormatError(f"{name}: no station row with counts and a time", key=name)
    doc = {"lastUpdatedOther": int(latest.timestamp()), "data": {"stations": stations}}
    return Series([Placed("bikes", latest, "velib", doc)], len(stations), warnings)


def _point(text: str) -> dict[str, float]:
    point = parse_point(text)
    return {} if point is None else {"lat": point[0], "lon": point[1]}


def counters_csv(text: str, sep: str, name: str) -> Series:
    """The bike-counter export: one ``results`` document per counted hour."""
    bad = BadValues(name)
    hours: dict[datetime, list[dict[str, Any]]] = defaultdict(list)
    count = 0
    for line, row in rows(text, sep):
        count += 1
        at = bad.instant(line, row, "Date et heure de comptage")
        if at is None:
            continue
        value = bad.number(line, row, "Comptage horaire")
        if value is None:
            continue
        hours[at].append(
            {
                "id_compteur": row.get("Identifiant du compteur", ""),
                "nom_compteur": row.get("Nom du compteur", ""),
                "sum_counts": round(value),
                "date": at.isoformat(),
                "coordinates": row.get("Coordonnées géographiques", ""),
            }
        )
    warnings = bad.check(count)
    placed = [Placed("bikes", at, "counters", {"results": r}) for at, r in sorted(hours.items())]
    return Series(placed, count, warnings)
