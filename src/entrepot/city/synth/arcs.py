"""The population of road arcs shared by the counts export and the référentiel.

Recipe (``docs/city-formats.md`` §2): ids drawn from 1-7,200 without
replacement, ``<prefix>_<name>`` labels, random nodes, centroids in the Paris box,
2-6 point LineStrings; a peak flow ``Q ~ LogNormal(ln 700, 0.8)`` clipped to
[40, 6000] veh/h, a capacity ``C = Q x U(0.75, 1.3)``; 12 % occupancy-only arcs,
5 % flaky arcs, an ``Etat arc`` drawn Ouvert 80 / Invalide 15 / Barré 3 / Inconnu 2 %.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from entrepot.city.geo import PARIS_BBOX
from entrepot.city.synth.common import (
    LABEL_PREFIXES,
    LABEL_WEIGHTS,
    STREETS,
    line_string,
    quote,
    rng,
)

#: Etat arc codes and labels.
ARC_STATES = ("Inconnu", "Ouvert", "Barré", "Invalide")
MAX_ARC_ID = 7200

REFERENTIEL_HEADER = (
    "Identifiant arc;Date debut dispo data;Date fin dispo data;Libelle;Identifiant noeud aval;"
    "Libelle noeud aval;Identifiant noeud amont;Libelle noeud amont;geo_point_2d;geo_shape"
)


@dataclass(frozen=True)
class Arcs:
    """Column arrays describing ``len(ids)`` arcs."""

    ids: npt.NDArray[np.int64]
    labels: list[str]
    up_ids: npt.NDArray[np.int64]
    up_labels: list[str]
    down_ids: npt.NDArray[np.int64]
    down_labels: list[str]
    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    shapes: list[str]
    point_texts: list[str]
    peak: npt.NDArray[np.float64]
    capacity: npt.NDArray[np.float64]
    night_busy: npt.NDArray[np.bool_]
    phase: npt.NDArray[np.float64]
    arc_state: npt.NDArray[np.int64]
    occupancy_only: npt.NDArray[np.bool_]
    flaky: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.ids)


def make_arcs(count: int, seed: int) -> Arcs:
    """Draw ``count`` arcs (at most 7,200) deterministically from ``seed``."""
    if not 1 <= count <= MAX_ARC_ID:
        raise ValueError(f"arcs must be between 1 and {MAX_ARC_ID}, got {count}")
    g = rng(seed, "arcs")
    ids = np.sort(g.choice(np.arange(1, MAX_ARC_ID + 1), size=count, replace=False))
    prefixes = g.choice(len(LABEL_PREFIXES), size=count, p=LABEL_WEIGHTS)
    streets = g.integers(0, len(STREETS), size=count)
    labels = [f"{LABEL_PREFIXES[p]}_{STREETS[s]}" for p, s in zip(prefixes, streets, strict=True)]
    other = g.integers(0, len(STREETS), size=(count, 2))
    up_ids = g.integers(1, 4001, size=count)
    down_ids = g.integers(1, 4001, size=count)
    up_labels = [f"{STREETS[s]}-{STREETS[o]}" for s, o in zip(streets, other[:, 0], strict=True)]
    down_labels = [f"{STREETS[s]}-{STREETS[o]}" for s, o in zip(streets, other[:, 1], strict=True)]
    (lat0, lat1), (lon0, lon1) = PARIS_BBOX
    lat = g.uniform(lat0, lat1, size=count)
    lon = g.uniform(lon0, lon1, size=count)
    shapes = []
    for i in range(count):
        coords = line_string(g, float(lat[i]), float(lon[i]), int(g.integers(2, 7)))
        shapes.append(json.dumps({"coordinates": coords, "type": "LineString"}))
    no_space = g.random(count) < 0.1
    point_texts = [
        f"{la!r},{lo!r}" if ns else f"{la!r}, {lo!r}"
        for la, lo, ns in zip(lat.tolist(), lon.tolist(), no_space.tolist(), strict=True)
    ]
    ring_road = np.isin(prefixes, [LABEL_PREFIXES.index("PI"), LABEL_PREFIXES.index("PE")])
    peak = np.clip(
        g.lognormal(np.log(700), 0.8, size=count) * np.where(ring_road, 2.0, 1.0), 40, 6000
    )
    capacity = peak * g.uniform(0.75, 1.3, size=count)
    return Arcs(
        ids=ids.astype(np.int64),
        labels=labels,
        up_ids=up_ids.astype(np.int64),
        up_labels=up_labels,
        down_ids=down_ids.astype(np.int64),
        down_labels=down_labels,
        lat=lat,
        lon=lon,
        shapes=shapes,
        point_texts=point_texts,
        peak=peak,
        capacity=capacity,
        night_busy=g.random(count) < 0.1,
        phase=g.uniform(-0.75, 0.75, size=count),
        arc_state=g.choice([1, 3, 2, 0], size=count, p=[0.80, 0.15, 0.03, 0.02]).astype(np.int64),
        occupancy_only=g.random(count) < 0.12,
        flaky=g.random(count) < 0.05,
    )


def referentiel_lines(arcs: Arcs, seed: int) -> list[str]:
    """The référentiel CSV (no BOM, ``;``, labels header); 10 % arcs get a second row."""
    g = rng(seed, "arcs", 1)
    lats, lons = arcs.lat.tolist(), arcs.lon.tolist()
    lines = [REFERENTIEL_HEADER]
    for i in range(len(arcs)):
        rows = 2 if g.random() < 0.1 else 1
        for r in range(rows):
            shape = arcs.shapes[i]
            if r:
                coords = line_string(g, lats[i], lons[i], 3)
                shape = json.dumps({"type": "LineString", "coordinates": coords})
            lines.append(
                ";".join(
                    (
                        str(arcs.ids[i]),
                        "2005-01-01T02:00:00+01:00",
                        "2019-06-01T03:00:00+02:00",
                        arcs.labels[i],
                        str(arcs.down_ids[i]),
                        arcs.down_labels[i],
                        str(arcs.up_ids[i]),
                        arcs.up_labels[i],
                        f"{lats[i]!r},{lons[i]!r}",
                        quote(shape),
                    )
                )
            )
    return lines
