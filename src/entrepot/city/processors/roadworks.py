"""Roadworks metrics of one local day from the ``chantiers-perturbants`` export.

A work is placed in the arrondissement of its own postal code, or, without one, in the
one whose real boundary holds its point (:mod:`entrepot.city.polygons`). A work is
*active* on a day when its dates cover it and its status is neither 3 (suspendu) nor
5 (terminé); rows without dates (the export's empty features)
are counted as ``invalid_rows``. Each active work scores
``level weight x impact weight``: niveau 1 (très perturbant) 2, niveau 2
(perturbant) or empty 1; BARRAGE_TOTAL 3, IMPASSE 2.5, SENS_UNIQUE 2,
RESTREINTE 1, empty 0.5. An arrondissement is a *critical zone* when its score
reaches 10 or it has a total closure rated très perturbant. Works are joined with
the référentiel: ``impacted_arcs`` counts arcs whose centroid lies within 150 m.

Impacts are the export's own codes (``BARRAGE_TOTAL``...); ``by_impact_code`` counts the
works without one as ``not_given`` (``by_impact`` keeps the French ``non renseigné`` for
the API's clients, ADR 0037).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from entrepot.city.geo import haversine_m, parse_point
from entrepot.city.messages import NOT_GIVEN
from entrepot.city.polygons import locate
from entrepot.city.processors.common import num
from entrepot.city.referentiel import UNKNOWN_ZONE

ROADWORKS_COLUMNS = (
    {
        "id": "Identifiant",
        "zone": "Code postal de l'arrondissement",
        "object": "Objet",
        "street": "Voie(s)",
        "begin": "Date de début",
        "end": "Date de fin",
        "impact": "Impact sur la circulation",
        "level": "Niveau de perturbation",
        "status": "Statut",
        "point": "geo_point_2d",
    },
    {
        "id": "identifiant",
        "zone": "cp_arrondissement",
        "object": "objet",
        "street": "voie",
        "begin": "date_debut",
        "end": "date_fin",
        "impact": "impact_circulation",
        "level": "niveau_perturbation",
        "status": "statut",
        "point": "geo_point_2d",
    },
)
LEVEL_WEIGHTS = {"1": 2.0, "2": 1.0}
IMPACT_WEIGHTS = {"BARRAGE_TOTAL": 3.0, "IMPASSE": 2.5, "SENS_UNIQUE": 2.0, "RESTREINTE": 1.0}
INACTIVE_STATUSES = {"3", "5"}
CRITICAL_SCORE = 10.0
NEAR_M = 150.0
TOP = 10


def _dates(column: pd.Series) -> pd.Series:
    return pd.to_datetime(column.str.slice(0, 10), format="%Y-%m-%d", errors="coerce").dt.date


def _impacted_arcs(active: pd.DataFrame, ref: pd.DataFrame) -> np.ndarray:
    points = [parse_point(p) for p in active["point"]]
    lat = np.array([p[0] if p else np.nan for p in points])
    lon = np.array([p[1] if p else np.nan for p in points])
    if len(active) == 0 or ref.empty:
        return np.zeros(len(active), dtype=np.int64)
    dist = haversine_m(lat[:, None], lon[:, None], ref["lat"].to_numpy(), ref["lon"].to_numpy())
    return np.asarray((dist <= NEAR_M).sum(axis=1), dtype=np.int64)


def _zones(active: pd.DataFrame) -> list[str]:
    # a work's own postal code, else the polygon holding its point
    own = active["zone"].str.strip()
    if own.ne("").all():
        return [str(z) for z in own]
    points = [parse_point(p) for p in active["point"]]
    lat = np.array([p[0] if p else np.nan for p in points])
    lon = np.array([p[1] if p else np.nan for p in points])
    placed = locate(lat, lon)
    return [z if z else (p or UNKNOWN_ZONE) for z, p in zip(own, placed, strict=True)]


def active_on(frame: pd.DataFrame, day: date) -> pd.Series:
    """Which rows of ``frame`` (canonical column names) are works active on ``day``."""
    begin, end = _dates(frame["begin"]), _dates(frame["end"])
    covers = begin.notna() & end.notna() & (begin <= day) & (end >= day)
    return covers & ~frame["status"].str.strip().isin(INACTIVE_STATUSES)


def _top_objects(objects: pd.Series) -> dict[str, int]:
    # the most frequent first, ties by name: value_counts leaves the order of ties (and so
    # which of them the top 10 keeps) to the hash of the values
    counts = objects.str.strip().replace("", "non renseigné").value_counts()
    ranked = sorted(counts.items(), key=lambda kv: (-int(kv[1]), str(kv[0])))
    return {str(k): int(v) for k, v in ranked[:TOP]}


def roadworks_metrics(frame: pd.DataFrame, ref: pd.DataFrame, day: date) -> dict[str, Any]:
    """The roadworks metrics of ``day``; ``frame`` has the canonical column names."""
    begin, end = _dates(frame["begin"]), _dates(frame["end"])
    valid = begin.notna() & end.notna()
    active = frame[active_on(frame, day)].copy()
    active["impact"] = active["impact"].str.strip()
    active["level"] = active["level"].str.strip()
    # As floats even on a day without works: an empty text column maps to an empty text
    # column, which pandas refuses to multiply.
    level_weight = active["level"].map(LEVEL_WEIGHTS).astype("float64").fillna(1.0)
    impact_weight = active["impact"].map(IMPACT_WEIGHTS).astype("float64").fillna(0.5)
    active["score"] = level_weight * impact_weight
    active["impacted_arcs"] = _impacted_arcs(active, ref)
    active["zone"] = _zones(active)
    active["days_running"] = [(day - b).days for b in begin[active.index]]
    closures = (active["impact"] == "BARRAGE_TOTAL") & (active["level"] == "1")
    zones = []
    for zone, group in active.groupby("zone", sort=True):
        score = float(group["score"].sum())
        closed = bool(closures[group.index].any())
        zones.append(
            {
                "arrondissement": zone,
                "active_works": len(group),
                "score": num(score, 1),
                "tres_perturbant": int((group["level"] == "1").sum()),
                "total_closures": int((group["impact"] == "BARRAGE_TOTAL").sum()),
                "impacted_arcs": int(group["impacted_arcs"].sum()),
                "critical": score >= CRITICAL_SCORE or closed,
            }
        )
    impacts = active["impact"].value_counts().sort_index()
    ranked = active.sort_values(["score", "impacted_arcs", "id"], ascending=[False, False, True])
    return {
        "active_works": len(active),
        "invalid_rows": int((~valid).sum()),
        "starting_today": int((begin[active.index] == day).sum()),
        "ending_today": int((end[active.index] == day).sum()),
        "by_impact": {k or "non renseigné": int(v) for k, v in impacts.items()},
        "by_impact_code": {k or NOT_GIVEN: int(v) for k, v in impacts.items()},
        "by_level": {
            "tres_perturbant": int((active["level"] == "1").sum()),
            "perturbant": int((active["level"] == "2").sum()),
            "non_renseigne": int((~active["level"].isin(["1", "2"])).sum()),
        },
        "by_object": _top_objects(active["object"]),
        "long_running": int((active["days_running"] > 365).sum()),
        "impacted_arcs": int(active["impacted_arcs"].sum()),
        "total_score": num(active["score"].sum(), 1),
        "by_arrondissement": zones,
        "critical_zones": sorted(
            (z for z in zones if z["critical"]),
            key=lambda z: (-(z["score"] or 0), z["arrondissement"]),
        ),
        "top_works": [
            {
                "id": r.id,
                "arrondissement": r.zone,
                "street": r.street,
                "impact": r.impact or None,
                "level": r.level or None,
                "score": num(r.score, 1),
                "impacted_arcs": int(r.impacted_arcs),
                "begin": begin[r.Index].isoformat(),
                "end": end[r.Index].isoformat(),
            }
            for r in ranked.head(TOP).itertuples()
        ],
    }
