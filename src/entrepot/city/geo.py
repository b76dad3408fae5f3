"""Paris geography the app needs without a GIS stack: arrondissements, distances.

Arrondissements by their real boundaries live in :mod:`entrepot.city.polygons`;
the approximate centroids here serve the synthetic generator.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

#: Postal code -> approximate centroid (lat, lon) of each arrondissement.
ARRONDISSEMENTS: dict[str, tuple[float, float]] = {
    "75001": (48.8625, 2.3364),
    "75002": (48.8683, 2.3428),
    "75003": (48.8630, 2.3600),
    "75004": (48.8543, 2.3576),
    "75005": (48.8445, 2.3507),
    "75006": (48.8491, 2.3328),
    "75007": (48.8562, 2.3122),
    "75008": (48.8727, 2.3125),
    "75009": (48.8771, 2.3375),
    "75010": (48.8761, 2.3607),
    "75011": (48.8591, 2.3800),
    "75012": (48.8396, 2.3958),
    "75013": (48.8283, 2.3623),
    "75014": (48.8292, 2.3265),
    "75015": (48.8401, 2.2929),
    "75016": (48.8637, 2.2769),
    "75017": (48.8873, 2.3067),
    "75018": (48.8925, 2.3484),
    "75019": (48.8871, 2.3848),
    "75020": (48.8634, 2.4011),
}

#: The bounding box synthetic points are drawn in (lat, lon ranges).
PARIS_BBOX = ((48.816, 48.901), (2.225, 2.469))

_EARTH_RADIUS_M = 6_371_000.0


def haversine_m(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Great-circle distance in metres (broadcasting)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(lon2) - np.radians(lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return np.asarray(2 * _EARTH_RADIUS_M * np.arcsin(np.sqrt(a)), dtype=np.float64)


def parse_point(text: str) -> tuple[float, float] | None:
    """``"lat, lon"`` or ``"lat,lon"`` -> (lat, lon); None for an empty or bad value."""
    parts = text.split(",")
    if len(parts) != 2:
        return None
    try:
        return float(parts[0]), float(parts[1])
    except ValueError:
        return None
