"""Roadworks metrics of a day, recomputed from the newest stored chantiers export
(``raw/batch/roadworks/``, its legacy name first, then the versions by as-of instant) with
Python's ``csv``, from the definitions of ``docs/city.md`` ("Roadworks"), sharing nothing
with the roadworks processor.

A work is active on a day its begin and end dates (their first ten characters,
``YYYY-MM-DD``) cover, unless its status is 3 (suspended) or 5 (finished); a row without
both dates is invalid. Its score is its level's weight (niveau 1: 2, else 1) times its
impact's (BARRAGE_TOTAL 3, IMPASSE 2.5, SENS_UNIQUE 2, RESTREINTE 1, else 0.5); it runs
long past 365 days.

What is recomputed: the active, invalid, starting and ending works, the counts by impact,
level and object, the long-running works and the total score. :data:`NOT_CHECKED` names
the rest (they need the référentiel's arcs and the arrondissements' polygons).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date

from entrepot.city import layout
from entrepot.city.check.traffic import Lake, Recomputed
from entrepot.city.check.values import rounded

NOT_CHECKED = (
    "roadworks.impacted_arcs",
    "roadworks.by_arrondissement",
    "roadworks.critical_zones",
    "roadworks.top_works",
)
#: Stored column names of the portal's two spellings -> what this module calls them.
COLUMNS = (
    {"Date de début": "begin", "Date de fin": "end", "Impact sur la circulation": "impact",
     "Niveau de perturbation": "level", "Statut": "status", "Objet": "object"},
    {"date_debut": "begin", "date_fin": "end", "impact_circulation": "impact",
     "niveau_perturbation": "level", "statut": "status", "objet": "object"},
)  # fmt: skip
IMPACT = {"BARRAGE_TOTAL": 3.0, "IMPASSE": 2.5, "SENS_UNIQUE": 2.0, "RESTREINTE": 1.0}
TOP = 10


class Unreadable(Exception):
    """A roadworks export this check does not read."""


Work = dict[str, str]


def newest(store: Lake) -> list[Work] | None:
    """The rows of the newest roadworks export; None without any."""
    legacy = layout.batch_key(layout.ROADWORKS_CSV)
    keys = [i.key for i in store.list(legacy) if i.key == legacy]
    keys += sorted(i.key for i in store.list(layout.versions_prefix(layout.ROADWORKS_CSV)))
    if not keys:
        return None
    if not keys[-1].endswith(".csv"):
        raise Unreadable(keys[-1])
    text = store.get(keys[-1]).decode("utf-8-sig")
    sep = ";" if text.split("\n", 1)[0].count(";") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=sep)
    names = next((c for c in COLUMNS if set(c) <= set(reader.fieldnames or ())), None)
    if names is None:
        raise Unreadable(keys[-1])
    return [{mine: row.get(theirs) or "" for theirs, mine in names.items()} for row in reader]


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if len(text) >= 10 and text[4] == "-" else None
    except ValueError:
        return None


def day_metrics(works: list[Work], day: date) -> Recomputed:
    """The recomputed roadworks metrics of ``day``."""
    dated = [(w, _day(w["begin"]), _day(w["end"])) for w in works]
    valid = [(w, b, e) for w, b, e in dated if b is not None and e is not None]
    active = [
        (w, b, e) for w, b, e in valid if b <= day <= e and w["status"].strip() not in ("3", "5")
    ]
    impacts = Counter(w["impact"].strip() for w, _, _ in active)
    levels = [w["level"].strip() for w, _, _ in active]
    objects = Counter(w["object"].strip() or "non renseigné" for w, _, _ in active)
    score = sum(
        (2.0 if w["level"].strip() == "1" else 1.0) * IMPACT.get(w["impact"].strip(), 0.5)
        for w, _, _ in active
    )
    ranked = sorted(objects.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
    return {
        "active_works": (len(active), None),
        "invalid_rows": (len(works) - len(valid), None),
        "starting_today": (sum(b == day for _, b, _ in active), None),
        "ending_today": (sum(e == day for _, _, e in active), None),
        "by_impact": ({k or "non renseigné": n for k, n in impacts.items()}, None),
        "by_impact_code": ({k or "not_given": n for k, n in impacts.items()}, None),
        "by_level.tres_perturbant": (levels.count("1"), None),
        "by_level.perturbant": (levels.count("2"), None),
        "by_level.non_renseigne": (sum(lv not in ("1", "2") for lv in levels), None),
        "by_object": (dict(ranked), None),
        "long_running": (sum((day - b).days > 365 for _, b, _ in active), None),
        "total_score": (rounded(score, 1), 1),
    }
