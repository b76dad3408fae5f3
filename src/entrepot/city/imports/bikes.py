"""Bike exports -> the bikes partitions: GBFS ``station_status`` as it came, the bike-counter
export as hourly ``results`` (the portal's Vélib' exports: :mod:`.velib`).

Counter timestamps (``Date et heure de comptage``) are the *start* of the counted hour,
so a file holding a day lands hour by hour in that day's partitions. The counters' export
comes with the portal's labels or with its API field names (:data:`COUNTER_FIELDS`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from entrepot.city.errors import RawFormatError
from entrepot.city.imports.csvrows import BadValues, rows
from entrepot.city.imports.records import Placed, Series
from entrepot.messages import N_, Message


def gbfs_status(doc: dict[str, Any], name: str) -> Series:
    """The status feed, placed at its own update time (``lastUpdatedOther``/``last_updated``,
    else the latest ``last_reported``)."""
    stations = doc["data"]["stations"]
    stamp = doc.get("lastUpdatedOther", doc.get("last_updated"))
    if stamp is None:
        reported = [int(s.get("last_reported", 0) or 0) for s in stations]
        stamp = max(reported, default=0)
    if not stamp:
        raise RawFormatError(
            f"{name}: a station_status without any time",
            key=name,
            said=Message(N_("error.city.status_without_time"), {"file": name}),
        )
    at = datetime.fromtimestamp(int(stamp), UTC)
    return Series([Placed("bikes", at, "station_status", doc, len(stations))], rows=len(stations))


#: The counters' export's labels -> their API field names (the portal's other header set).
COUNTER_FIELDS = {
    "Identifiant du compteur": "id_compteur",
    "Nom du compteur": "nom_compteur",
    "Comptage horaire": "sum_counts",
    "Date et heure de comptage": "date",
    "Coordonnées géographiques": "coordinates",
}


def counters_csv(text: str, sep: str, name: str) -> Series:
    """The bike-counter export: one ``results`` document per counted hour."""
    bad = BadValues(name)
    hours: dict[datetime, list[dict[str, Any]]] = defaultdict(list)
    count = 0
    for line, found in rows(text, sep):
        count += 1
        row = {label: found.get(label, found.get(api, "")) for label, api in COUNTER_FIELDS.items()}
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
    placed = [
        Placed("bikes", at, "counters", {"results": r}, len(r)) for at, r in sorted(hours.items())
    ]
    return Series(placed, count, warnings)
