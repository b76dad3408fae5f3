"""Arrondissement of a point, from the portal's polygons (winding number, pure Python)."""

from __future__ import annotations

import itertools
import json
import math
from functools import cache
from pathlib import Path

REAL = Path(__file__).resolve().parents[2] / "fixtures" / "real-paris"
OUTSIDE = "outside"
UNPLACED = "unknown"

Ring = list[tuple[float, float]]


@cache
def _shapes() -> tuple[tuple[str, tuple[tuple[Ring, ...], ...]], ...]:
    doc = json.loads((REAL / "arrondissements.geojson").read_text(encoding="utf-8"))
    shapes = []
    for feature in doc["features"]:
        geometry = feature["geometry"]
        parts = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        polygons = tuple(
            tuple([(float(p[0]), float(p[1])) for p in ring] for ring in part) for part in parts
        )
        shapes.append((f"750{int(feature['properties']['c_ar']):02d}", polygons))
    return tuple(sorted(shapes))


def _winding(x: float, y: float, ring: Ring) -> int:
    total = 0
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        side = (x2 - x1) * (y - y1) - (x - x1) * (y2 - y1)
        if y1 <= y < y2 and side > 0:
            total += 1
        elif y2 <= y < y1 and side < 0:
            total -= 1
    return total


def zone(lat: float | None, lon: float | None) -> str:
    """``750NN`` holding (lat, lon), ``outside`` outside Paris, ``unknown`` without a
    point (the codes of docs/city.md)."""
    if lat is None or lon is None or math.isnan(lat) or math.isnan(lon):
        return UNPLACED
    for code, polygons in _shapes():
        for rings in polygons:
            if _winding(lon, lat, rings[0]) and not any(_winding(lon, lat, h) for h in rings[1:]):
                return code
    return OUTSIDE


def point(text: object) -> tuple[float, float] | None:
    """``"lat, lon"`` or ``"lat,lon"``; None for anything else."""
    if not isinstance(text, str):
        return None
    try:
        lat, lon = (float(part) for part in text.split(","))
    except ValueError:
        return None
    return lat, lon


def metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance on a sphere of radius 6,371 km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_000.0 * math.asin(math.sqrt(a))
