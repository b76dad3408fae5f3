"""Where things are, for a map: counted arcs, Vélib' stations and roadworks, read from the
lake's newest batch files (the référentiel, the station information, the
``chantiers-perturbants`` export).

Each file is parsed once per content version (its sha256, or etag) and kept while the
process lives; a file absent from the lake (or unreadable) gives no places and its
layer in :attr:`Places.missing`. Coordinates are (lon, lat), rounded to about a metre.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from entrepot.city import layout
from entrepot.city.errors import CityError
from entrepot.city.geo import parse_point
from entrepot.city.lake import Lake
from entrepot.city.processors.roadworks import ROADWORKS_COLUMNS, active_on
from entrepot.city.readers import read_csv, read_json
from entrepot.city.referentiel import REFERENTIEL_COLUMNS

Point = tuple[float, float]
_DIGITS = 5


@dataclass(frozen=True)
class Arc:
    """A counted arc: its label, its line and its number (``Identifiant arc``)."""

    label: str
    line: tuple[Point, ...]
    arc: str = ""


@dataclass(frozen=True)
class Work:
    """A roadworks site: its id, street, traffic impact and point."""

    id: str
    street: str
    impact: str
    point: Point


@dataclass(frozen=True)
class Station:
    """A Vélib' station: its name and point."""

    name: str
    point: Point


@dataclass(frozen=True)
class Places:
    """What a map can draw, and the layers (``arcs``, ``stations``, ``works``) whose file
    is absent or unreadable."""

    arcs: tuple[Arc, ...] = ()
    stations: tuple[Station, ...] = ()
    works: tuple[Work, ...] = ()
    missing: tuple[str, ...] = field(default=())


_parsed: dict[tuple[str, str, str], Any] = {}
_lock = threading.Lock()


def _point(lat: Any, lon: Any) -> Point | None:
    try:
        x, y = round(float(lon), _DIGITS), round(float(lat), _DIGITS)
    except (TypeError, ValueError):
        return None
    return None if x != x or y != y else (x, y)  # NaN is not a place


def _arcs(data: bytes, key: str) -> tuple[Arc, ...]:
    frame = read_csv(data, key, REFERENTIEL_COLUMNS)
    arcs = []
    columns = frame["label"], frame["point"], frame["shape"], frame["arc"]
    for label, point, shape, arc_id in zip(*columns, strict=True):
        line: list[Point] = []
        try:
            coordinates = json.loads(shape)["coordinates"]
            line = [p for p in (_point(c[1], c[0]) for c in coordinates) if p]
        except (ValueError, KeyError, TypeError, IndexError):
            line = []
        if not line:
            centre = parse_point(point)
            line = [p for p in [_point(*centre)] if p] if centre else []
        if line:
            arcs.append(Arc(str(label), tuple(line), str(arc_id)))
    return tuple(arcs)


def _stations(data: bytes, key: str) -> tuple[Station, ...]:
    found = []
    for s in read_json(data, key)["data"]["stations"]:
        point = _point(s.get("lat"), s.get("lon"))
        if point:
            found.append(Station(str(s.get("name") or s.get("stationCode") or ""), point))
    return tuple(found)


def _works(data: bytes, key: str) -> Any:
    return read_csv(data, key, ROADWORKS_COLUMNS)


def _works_on(frame: Any, day: date) -> tuple[Work, ...]:
    found = []
    for row in frame[active_on(frame, day)].itertuples():
        centre = parse_point(row.point)
        point = _point(*centre) if centre else None
        if point:
            found.append(Work(str(row.id), str(row.street), str(row.impact).strip(), point))
    return tuple(found)


def _load(lake: Lake, name: str, parse: Callable[[bytes, str], Any]) -> Any:
    ref = lake.batch_input(name)
    cache_key = (name, ref.key, ref.version)
    with _lock:
        if cache_key in _parsed:
            return _parsed[cache_key]
    data, read, _ = lake.read_batch(name)
    value = parse(data, read.key)
    with _lock:
        for old in [k for k in _parsed if k[0] == name]:
            del _parsed[old]  # one version per file is kept
        _parsed[cache_key] = value
    return value


def places(lake: Lake, day: date) -> Places:
    """The arcs, the stations and the works active on ``day`` that the lake describes."""
    found: dict[str, Any] = {}
    missing = []
    loaders = (
        ("arcs", layout.REFERENTIEL_CSV, _arcs),
        ("stations", layout.STATIONS_JSON, _stations),
        ("works", layout.ROADWORKS_CSV, _works),
    )
    for layer, name, parse in loaders:
        try:
            found[layer] = _load(lake, name, parse)
        except (CityError, KeyError, TypeError):  # absent, or not in the expected shape
            missing.append(layer)
    works = found.get("works")
    return Places(
        arcs=found.get("arcs", ()),
        stations=found.get("stations", ()),
        works=() if works is None else _works_on(works, day),
        missing=tuple(missing),
    )
