"""Roadworks metrics of a Paris day, from the ``chantiers-perturbants`` export.

Definitions (docs/city.md, "Roadworks"): a work is active when its begin and end dates
cover the day and its status is neither 3 (suspendu) nor 5 (terminé); its score is the
level weight (niveau 1: 2, else 1) times the impact weight (BARRAGE_TOTAL 3, IMPASSE 2.5,
SENS_UNIQUE 2, RESTREINTE 1, else 0.5); its arrondissement is its postal code, else the
polygon holding its point; it impacts the arcs whose centroid is within 150 m.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from tests.support.city_reference.places import metres, point, zone

LEVEL = {"1": 2.0}
IMPACT = {"BARRAGE_TOTAL": 3.0, "IMPASSE": 2.5, "SENS_UNIQUE": 2.0, "RESTREINTE": 1.0}
TOP, NEAR_M = 10, 150.0


def _near(at: tuple[float, float], centroids: list[tuple[float, float]]) -> int:
    # a cheap box first (150 m is under 0.0014 degree of latitude and 0.0021 of longitude)
    return sum(
        metres(at[0], at[1], lat, lon) <= NEAR_M
        for lat, lon in centroids
        if abs(lat - at[0]) < 0.002 and abs(lon - at[1]) < 0.003
    )


def works(path: Path, arcs: pd.DataFrame) -> pd.DataFrame:
    """One row per work with its dates, zone, score and impacted arcs (``arcs``: the
    reference référentiel, ``lat``/``lon`` per arc)."""
    frame = pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    frame = frame.apply(lambda c: c.str.strip())

    def day(text: str) -> date | None:
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            return None

    out = pd.DataFrame(
        {
            "id": frame["Identifiant"],
            "street": frame["Voie(s)"],
            "object": frame["Objet"],
            "impact": frame["Impact sur la circulation"],
            "level": frame["Niveau de perturbation"],
            "status": frame["Statut"],
            "begin": [day(t) for t in frame["Date de début"]],
            "end": [day(t) for t in frame["Date de fin"]],
        }
    )
    out["score"] = [
        LEVEL.get(lv, 1.0) * IMPACT.get(im, 0.5)
        for lv, im in zip(out["level"], out["impact"], strict=True)
    ]
    points = [point(p) for p in frame["geo_point_2d"]]
    centroids = [(a, o) for a, o in zip(arcs["lat"], arcs["lon"], strict=True) if a == a and o == o]
    out["zone"] = [
        code or (zone(p[0], p[1]) if p else zone(None, None))
        for code, p in zip(frame["Code postal de l'arrondissement"], points, strict=True)
    ]
    out["impacted_arcs"] = [0 if p is None else _near(p, centroids) for p in points]
    return out


def day_metrics(rows: pd.DataFrame, day: date) -> dict[str, Any]:
    """The roadworks metrics of ``day``."""
    valid = rows["begin"].notna() & rows["end"].notna()
    covers = valid & rows.apply(
        lambda r: bool(valid[r.name]) and r["begin"] <= day <= r["end"], axis=1
    )
    active = rows[covers & ~rows["status"].isin(["3", "5"])]
    zones = []
    for place, group in active.groupby("zone", sort=True):
        score = float(group["score"].sum())
        closures = group["impact"] == "BARRAGE_TOTAL"
        zones.append(
            {
                "arrondissement": place,
                "active_works": len(group),
                "score": round(score, 1),
                "tres_perturbant": int((group["level"] == "1").sum()),
                "total_closures": int(closures.sum()),
                "impacted_arcs": int(group["impacted_arcs"].sum()),
                "critical": score >= 10 or bool((closures & (group["level"] == "1")).any()),
            }
        )
    objects = Counter(active["object"].replace("", "non renseigné"))
    ranked = sorted(active.itertuples(), key=lambda r: (-r.score, -r.impacted_arcs, r.id))
    return {
        "active_works": len(active),
        "invalid_rows": int((~valid).sum()),
        "starting_today": int((active["begin"] == day).sum()),
        "ending_today": int((active["end"] == day).sum()),
        "by_impact": dict(sorted(Counter(active["impact"].replace("", "non renseigné")).items())),
        "by_impact_code": dict(sorted(Counter(active["impact"].replace("", "not_given")).items())),
        "by_level": {
            "tres_perturbant": int((active["level"] == "1").sum()),
            "perturbant": int((active["level"] == "2").sum()),
            "non_renseigne": int((~active["level"].isin(["1", "2"])).sum()),
        },
        "by_object": dict(sorted(objects.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]),
        "long_running": sum((day - b).days > 365 for b in active["begin"]),
        "impacted_arcs": int(active["impacted_arcs"].sum()),
        "total_score": round(float(active["score"].sum()), 1),
        "by_arrondissement": zones,
        "critical_zones": sorted(
            (z for z in zones if z["critical"]), key=lambda z: (-z["score"], z["arrondissement"])
        ),
        "top_works": [
            {
                "id": r.id,
                "arrondissement": r.zone,
                "street": r.street,
                "impact": r.impact or None,
                "level": r.level or None,
                "score": round(r.score, 1),
                "impacted_arcs": int(r.impacted_arcs),
                "begin": r.begin.isoformat(),
                "end": r.end.isoformat(),
            }
            for r in ranked[:TOP]
        ],
    }
