"""Arrondissements by their real boundaries: point-in-polygon over the 20 polygons.

The polygons are the City's "arrondissements" dataset (ODbL), shipped as package data
(``entrepot/city/data/arrondissements.geojson``) and read on first use. The test is an
even-odd ray cast, vectorised with numpy, holes and multi-polygons honoured (ADR 0014
says why not shapely). A point in no polygon is :data:`OUTSIDE` (suburban Vélib'
stations, the outer lanes of the périphérique); a point without coordinates is ``None``.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from entrepot.city.messages import OUTSIDE

__all__ = ["OUTSIDE", "arrondissement_polygons", "locate"]

Ring = npt.NDArray[np.float64]
Polygon = list[Ring]  # the outer ring first, then holes


@cache
def arrondissement_polygons() -> dict[str, list[Polygon]]:
    """Postal code (``75001``…``75020``) -> its polygons (lon, lat rings)."""
    text = (
        resources.files("entrepot.city")
        .joinpath("data/arrondissements.geojson")
        .read_text(encoding="utf-8")
    )
    shapes: dict[str, list[Polygon]] = {}
    for feature in json.loads(text)["features"]:
        code = f"750{int(feature['properties']['c_ar']):02d}"
        shapes[code] = _polygons(feature["geometry"])
    return shapes


def _polygons(geometry: dict[str, Any]) -> list[Polygon]:
    coordinates = geometry["coordinates"]
    parts = [coordinates] if geometry["type"] == "Polygon" else coordinates
    return [[np.asarray(ring, dtype=np.float64)[:, :2] for ring in part] for part in parts]


def _in_ring(lon: Ring, lat: Ring, ring: Ring) -> npt.NDArray[np.bool_]:
    x1, y1 = ring[:-1, 0], ring[:-1, 1]
    x2, y2 = ring[1:, 0], ring[1:, 1]
    y = lat[:, None]
    spans = (y1 > y) != (y2 > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        cross_x = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
    hits = spans & (lon[:, None] < cross_x)
    return np.asarray(hits.sum(axis=1) % 2 == 1)


def _in_polygon(lon: Ring, lat: Ring, polygon: Polygon) -> npt.NDArray[np.bool_]:
    outer = polygon[0]
    inside = (
        (lon >= outer[:, 0].min()) & (lon <= outer[:, 0].max())
        & (lat >= outer[:, 1].min()) & (lat <= outer[:, 1].max())
    )  # fmt: skip
    if inside.any():
        idx = np.flatnonzero(inside)
        inside[idx] = _in_ring(lon[idx], lat[idx], outer)
        for hole in polygon[1:]:
            idx = np.flatnonzero(inside)
            inside[idx] &= ~_in_ring(lon[idx], lat[idx], hole)
    return np.asarray(inside, dtype=bool)


def locate(lat: npt.ArrayLike, lon: npt.ArrayLike) -> npt.NDArray[np.object_]:
    """The postal code of the arrondissement holding each point; :data:`OUTSIDE` outside
    Paris, ``None`` for a point without coordinates (NaN). Each distinct point is tested
    once (a day's station records repeat each station's point a hundred times)."""
    la = np.asarray(lat, dtype=np.float64).ravel()
    lo = np.asarray(lon, dtype=np.float64).ravel()
    zones = np.full(la.shape, None, dtype=object)
    known = ~(np.isnan(la) | np.isnan(lo))
    # a complex number a point: NumPy sorts it by its real part, then its imaginary part
    points, back = np.unique(lo[known] + 1j * la[known], return_inverse=True)
    zones[known] = _distinct(points.imag, points.real)[back]
    return zones


def _distinct(la: npt.NDArray[np.float64], lo: npt.NDArray[np.float64]) -> npt.NDArray[np.object_]:
    """:func:`locate` for points with coordinates."""
    zones = np.full(la.shape, OUTSIDE, dtype=object)
    todo = np.ones(la.shape, dtype=bool)
    for code, polygons in arrondissement_polygons().items():
        for polygon in polygons:
            idx = np.flatnonzero(todo)
            if idx.size == 0:
                return zones
            hit = _in_polygon(lo[idx], la[idx], polygon)
            zones[idx[hit]] = code
            todo[idx[hit]] = False
    return zones
