"""The arcs référentiel: label, road type, centroid, length and arrondissement of each arc.

Several rows may share an ``iu_ac`` (real data has ~10 % such arcs): the first
row wins. Columns are selected by name, in either the export's labels or the
raw field names; ``geo_point_2d`` is accepted as ``"lat, lon"`` or ``"lat,lon"``.
Each arc goes to the arrondissement whose real boundary holds its centroid
(:mod:`entrepot.city.polygons`; ``outside`` outside Paris, ``unknown`` without a point:
the place codes of :mod:`entrepot.city.messages`).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from entrepot.city.errors import RawFormatError
from entrepot.city.geo import haversine_m, parse_point
from entrepot.city.messages import UNKNOWN
from entrepot.city.polygons import locate
from entrepot.city.readers import read_csv
from entrepot.messages import N_, Message

REFERENTIEL_COLUMNS = (
    {"arc": "Identifiant arc", "label": "Libelle", "point": "geo_point_2d", "shape": "geo_shape"},
    {"arc": "iu_ac", "label": "libelle", "point": "geo_point_2d", "shape": "geo_shape"},
)
ROAD_TYPES = {
    "PI": "périphérique",
    "PE": "périphérique",
    "AI": "bretelle",
    "AE": "bretelle",
    "SI": "bretelle",
    "SE": "bretelle",
    "Bd": "boulevard",
    "Av": "avenue",
    "Quai": "quai",
    "VGP": "voie sur berge",
    "Rue": "rue",
}
UNKNOWN_ZONE = UNKNOWN


def road_type(label: str) -> str:
    """Road type from a label's prefix (``PI_`` périphérique intérieur, ``Bd_``...)."""
    prefix = label.split("_", 1)[0]
    return ROAD_TYPES.get(prefix, ROAD_TYPES.get(prefix.capitalize(), "autre"))


def _length_m(shape: str) -> float:
    try:
        coords = json.loads(shape)["coordinates"]
        arr = np.asarray(coords, dtype=np.float64)
    except (ValueError, KeyError, TypeError):
        return float("nan")
    if arr.ndim != 2 or len(arr) < 2:
        return float("nan")
    return float(haversine_m(arr[:-1, 1], arr[:-1, 0], arr[1:, 1], arr[1:, 0]).sum())


REFERENTIEL_FIELDS = ("arc", "label", "road_type", "lat", "lon", "length_m", "arrondissement")


def empty_referentiel() -> pd.DataFrame:
    """A référentiel without arcs (the file is optional: arcs then stay unplaced)."""
    return pd.DataFrame(
        {name: pd.Series(dtype="int64" if name == "arc" else object) for name in REFERENTIEL_FIELDS}
    )


def load_referentiel(data: bytes, key: str) -> pd.DataFrame:
    """One row per arc: ``arc, label, road_type, lat, lon, length_m, arrondissement``."""
    frame = read_csv(data, key, REFERENTIEL_COLUMNS)
    arcs = pd.to_numeric(frame["arc"], errors="coerce")
    frame = frame.assign(arc=arcs).dropna(subset=["arc"]).drop_duplicates("arc", keep="first")
    if frame.empty:
        raise RawFormatError(
            "the référentiel has no arc rows",
            key=key,
            said=Message(N_("error.city.referentiel_no_arcs"), {"file": key}),
        )
    points = [parse_point(p) for p in frame["point"]]
    lat = np.array([p[0] if p else np.nan for p in points])
    lon = np.array([p[1] if p else np.nan for p in points])
    zones = [zone or UNKNOWN_ZONE for zone in locate(lat, lon)]
    return pd.DataFrame(
        {
            "arc": frame["arc"].astype("int64").to_numpy(),
            "label": frame["label"].to_numpy(),
            "road_type": [road_type(x) for x in frame["label"]],
            "lat": lat,
            "lon": lon,
            "length_m": [_length_m(s) for s in frame["shape"]],
            "arrondissement": zones,
        }
    )
