"""The portal's Vélib' availability exports -> one GBFS-shaped snapshot, whatever the layout.

Three layouts of ``velib-disponibilite-en-temps-reel`` are read, as CSV (``;``) or as the
portal's GeoJSON export (a FeatureCollection whose features' ``properties`` hold the same
fields, and a ``Point`` geometry): the current labels (``Identifiant station``, ``Nombre
total vélos disponibles``, ``Actualisation de la donnée``…), the 2019 labels (``Code de la
station``, ``Nombre de bornes disponibles``, ``Nombres de bornes en station``, ``Nombre de
vélo mécanique``, ``Nombre vélo électrique``, ``Nombre vélo en PARK+``, ``duedate``…) and
the API field names (``stationcode``, ``numbikesavailable``, ``nbfreeedock``…). Each field
is looked up by its aliases (:data:`FIELDS`), case-insensitively.

In the 2019 layout a station holds two kinds of docks: ``Nombres de bornes en station`` /
``Nombre de bornes disponibles`` (API ``nbedock`` / ``nbfreeedock``) and the older ``nbDock``
/ ``nbFreeDock``; its capacity and its free docks are the sums of both kinds. Without a
total column the bikes available are the docked mechanical + e-bikes, and the bikes parked
in the overflow (``PARK+``: ``nbbikeoverflow`` + ``nbebikeoverflow``, both kinds) are kept
apart (``num_bikes_overflow``), so bikes + docks ≤ capacity still holds.

The snapshot's time is its own: the latest full timestamp of its update column
(``Actualisation de la donnée``, API ``duedate``). The 2019 layout has none: its
``duedate`` is no report time and is never read as one (ADR 0064), so the ``as_of``
given (``entrepot city import --as-of``) places it, and without one the file is refused,
never dated by its modification time (ADR 0043).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from entrepot.city.days import paris
from entrepot.city.errors import RawFormatError
from entrepot.city.geo import parse_point
from entrepot.city.imports import notes as noted
from entrepot.city.imports.csvrows import BadValues, instant, rows
from entrepot.city.imports.records import Placed, Series
from entrepot.messages import N_, Message

_YES = {"OUI", "YES", "1", "TRUE", "OPERATIVE"}
#: A normalised field -> the column names or property keys that hold it, in order.
FIELDS: dict[str, tuple[str, ...]] = {
    "code": (
        "Identifiant station",
        "Code de la station",
        "Code station",
        "stationcode",
        "station_code",
    ),
    "working": (
        "Station en fonctionnement",
        "Etat de la station",
        "Etat des stations",
        "is_installed",
        "station_state",
    ),
    "capacity": (
        "Capacité de la station",
        "Nombres de bornes en station",
        "Nombre de bornes en station",
        "capacity",
        "nbedock",
    ),
    # the 2019 layout's second kind of docks (the older ones), added to the first
    "capacity_older": ("nbDock",),
    "docks": (
        "Nombre bornettes libres",
        "Nombre de bornes disponibles",
        "numdocksavailable",
        "nbfreeedock",
    ),
    "docks_older": ("nbFreeDock",),
    "bikes": ("Nombre total vélos disponibles", "Vélos disponibles", "numbikesavailable"),
    "mechanical": (
        "Vélos mécaniques disponibles",
        "Nombre de vélo mécanique",
        "Nombre vélo mécanique",
        "mechanical",
        "nbbike",
    ),
    "ebike": (
        "Vélos électriques disponibles",
        "Nombre vélo électrique",
        "Nombre de vélo électrique",
        "ebike",
        "nbebike",
    ),
    "overflow": ("Nombre vélo en PARK+", "nbbikeoverflow"),
    # the 2019 layout's e-bikes in the overflow, added to its mechanical ones
    "overflow_ebike": ("Nombre vélo électrique en PARK+", "nbebikeoverflow"),
    "returning": ("Retour vélib possible", "is_returning"),
    # the portal labels GBFS ``is_renting`` "Borne de paiement disponible" (its stations
    # installed but neither renting nor returning say NON in it, as GBFS says (1, 0, 0))
    "renting": ("Borne de paiement disponible", "is_renting"),
    # ``duedate`` is the current API's name of ``Actualisation de la donnée``; in the 2019
    # layout it is no report time and is never read (:data:`LAYOUT_2019`, ADR 0064)
    "updated": ("Actualisation de la donnée", "duedate"),
    "point": ("Coordonnées géographiques", "geo", "coordonnees_geo"),
}
#: Columns only the 2019 layout has (labels or API names), lower-cased.
LAYOUT_2019 = frozenset(
    {"code de la station", "station_code", "nombre de bornes disponibles", "nbfreeedock", "nbdock"}
)
#: Whether the columns ``present`` are a Vélib' availability table of some layout.
SIGNATURES = (
    frozenset({"Identifiant station", "Nombre total vélos disponibles"}),
    frozenset({"Code de la station", "Nombre de bornes disponibles"}),
    frozenset({"stationcode", "numbikesavailable"}),
    frozenset({"station_code", "nbfreeedock", "nbbike", "nbebike"}),
)


def is_velib_properties(properties: Mapping[str, Any]) -> bool:
    """Whether a GeoJSON feature's ``properties`` are a Vélib' station's availability."""
    present = {str(k).lower() for k in properties}
    return any({c.lower() for c in sig} <= present for sig in SIGNATURES)


def velib_csv(text: str, sep: str, name: str, as_of: datetime | None) -> Series:
    """A CSV export of any layout: one snapshot."""
    return _snapshot(((line, row) for line, row in rows(text, sep)), name, as_of)


def velib_geojson(doc: Mapping[str, Any], name: str, as_of: datetime | None) -> Series:
    """The GeoJSON export: each feature's properties are a row, its Point its position."""
    found = []
    for i, feature in enumerate(doc.get("features") or [], start=1):
        if not isinstance(feature, Mapping):
            continue
        properties = feature.get("properties") or {}
        row = {str(k): _text(v) for k, v in properties.items()}
        geometry = feature.get("geometry") or {}
        coordinates = geometry.get("coordinates") if isinstance(geometry, Mapping) else None
        if geometry.get("type") == "Point" and isinstance(coordinates, list | tuple):
            row["__point__"] = f"{coordinates[1]}, {coordinates[0]}"
        found.append((i, row))
    return _snapshot(found, name, as_of)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple) and len(value) == 2:
        return f"{value[0]}, {value[1]}"
    return str(value)


class _Row:
    def __init__(self, row: Mapping[str, str]) -> None:
        self.by_lower = {k.strip().lower(): v for k, v in row.items()}
        self.of_2019 = not LAYOUT_2019.isdisjoint(self.by_lower)

    def get(self, field: str) -> str | None:
        for alias in FIELDS[field]:
            value = self.by_lower.get(alias.lower())
            if value is not None:
                return value
        return None


def _snapshot(
    found: Iterable[tuple[int, Mapping[str, str]]], name: str, as_of: datetime | None
) -> Series:
    bad = BadValues(name)
    stations: list[dict[str, Any]] = []
    reported: list[datetime | date | None] = []
    for line, raw in found:
        row = _Row(raw)
        numbers = {f: _number(bad, line, row, f) for f in ("capacity", "docks", "bikes")}
        numbers |= {f: _number(bad, line, row, f) for f in ("mechanical", "ebike", "overflow")}
        for field, other in (
            ("capacity", "capacity_older"),
            ("docks", "docks_older"),
            ("overflow", "overflow_ebike"),
        ):
            first, second = numbers[field], _number(bad, line, row, other)
            if first is not None and second is not None:
                numbers[field] = first + second  # both kinds of docks, or of bikes (2019)
        bikes, docks = numbers["bikes"], numbers["docks"]
        if bikes is None and numbers["mechanical"] is not None and numbers["ebike"] is not None:
            bikes = numbers["mechanical"] + numbers["ebike"]
        if bikes is None or docks is None:
            continue
        working = (row.get("working") or "").upper() in _YES
        returning = row.get("returning")
        renting = row.get("renting")
        station: dict[str, Any] = {
            "stationCode": row.get("code") or "",
            "station_id": row.get("code") or "",
            "num_bikes_available": int(bikes),
            "num_docks_available": int(docks),
            "num_bikes_available_types": [
                {"mechanical": int(numbers["mechanical"] or 0)},
                {"ebike": int(numbers["ebike"] or 0)},
            ],
            "capacity": None if numbers["capacity"] is None else int(numbers["capacity"]),
            "is_installed": int(working),
            "is_renting": int(working if renting is None else renting.upper() in _YES),
            "is_returning": int(working if returning is None else returning.upper() in _YES),
            **_point(row.get("point") or raw.get("__point__", "")),
        }
        if numbers["overflow"] is not None:
            station["num_bikes_overflow"] = int(numbers["overflow"])
        stations.append(station)
        reported.append(_stamp(bad, line, row))
    warnings = bad.check(len(stations) + bad.count)
    if not stations:
        raise RawFormatError(
            f"{name}: no station row with bikes and docks counts",
            key=name,
            said=Message(N_("error.city.velib_no_station_row"), {"file": name}),
        )
    at = _snapshot_time(reported, name, as_of, warnings)
    for station, stamp in zip(stations, reported, strict=True):
        station["last_reported"] = int(_reported(stamp, at).timestamp())
    doc = {"lastUpdatedOther": int(at.timestamp()), "data": {"stations": stations}}
    return Series([Placed("bikes", at, "velib", doc, len(stations))], len(stations), warnings)


def _number(bad: BadValues, line: int, row: _Row, field: str) -> float | None:
    return bad.number(line, {field: row.get(field) or ""}, field)


def _stamp(bad: BadValues, line: int, row: _Row) -> datetime | date | None:
    if row.of_2019:  # its duedate is no report time (ADR 0064)
        return None
    text = (row.get("updated") or "").strip()
    if not text:
        return None
    try:
        if len(text) == 10:  # a date alone
            return date.fromisoformat(text)
        return instant(text)
    except ValueError:
        bad.mark(line, "updated", text)
        return None


def _snapshot_time(
    reported: list[datetime | date | None], name: str, as_of: datetime | None, notes: list[str]
) -> datetime:
    full = [r for r in reported if isinstance(r, datetime)]
    if full:
        own = max(full)
        if as_of is not None and abs(as_of - own) > timedelta(hours=1):
            notes.append(noted.velib_taken_at(name, own.isoformat(), as_of.isoformat()))
        return own
    if as_of is not None:
        return as_of
    days = [r for r in reported if isinstance(r, date)]
    said = f" (its latest date is {max(days).isoformat()}, without a time)" if days else ""
    raise RawFormatError(
        f"{name}: the file does not say when it was taken{said}",
        key=name,
        hint="pass --as-of YYYY-MM-DDTHH:MM (Paris time) with the time it was downloaded",
        said=Message(
            N_("error.city.velib_no_time_day"), {"file": name, "day": max(days).isoformat()}
        )
        if days
        else Message(N_("error.city.velib_no_time"), {"file": name}),
    )


def _reported(stamp: datetime | date | None, at: datetime) -> datetime:
    # a station's last report: its own time; a date alone counts as the end of that Paris
    # day (a station is called stale only when its date proves it); none: the snapshot's
    if isinstance(stamp, datetime):
        return stamp
    if isinstance(stamp, date):
        end = datetime.combine(stamp + timedelta(days=1), time(0), tzinfo=paris())
        return min(end, at)
    return at


def _point(text: str) -> dict[str, float]:
    point = parse_point(text)
    return {} if point is None else {"lat": point[0], "lon": point[1]}
