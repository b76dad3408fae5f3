"""Road-traffic metrics of a Paris day, from the counts exports and the référentiel.

Definitions (docs/city.md, "Road traffic"): a row's ``Date et heure de comptage``/``t_1h``
is the **end** of its hour; with an offset it is absolute, without one Paris wall time
(a wall time the spring-forward skips is dropped; an ambiguous autumn one is the first,
summer-time, instant). The hour is named by its start in Paris wall time and its date is
the day. Files are read oldest first; a repeated (arc, hour) keeps the newest file's row,
within one file the one with the highest flow, then occupancy.
A state on an hour without flow and occupancy is Inconnu.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tests.support.city_reference.places import OUTSIDE, UNPLACED, point, zone

LABELS = ("Inconnu", "Fluide", "Pré-saturé", "Saturé", "Bloqué")
#: The codes stored beside the labels (docs/city.md, ADR 0037), in the same order.
CODES = ("unknown", "fluid", "dense", "saturated", "blocked")
_NAMES = {
    "Identifiant arc": "arc",
    "iu_ac": "arc",
    "Date et heure de comptage": "t",
    "t_1h": "t",
    "Débit horaire": "q",
    "q": "q",
    "Taux d'occupation": "k",
    "k": "k",
    "Etat trafic": "state",
    "etat_trafic": "state",
}
TOP, MAX_ALERTS = 10, 50


def _table(path: Path) -> pd.DataFrame:
    text = path.read_text(encoding="utf-8-sig").lstrip('"')
    sep = ";" if text.split("\n", 1)[0].count(";") else ","
    frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    frame = frame.rename(columns={c: _NAMES[c.strip()] for c in frame if c.strip() in _NAMES})
    return frame[["arc", "t", "q", "k", "state"]]


def _number(column: pd.Series) -> pd.Series:
    return pd.to_numeric(column.str.strip().str.replace(",", "."), errors="coerce")


def _code(label: str, k: float) -> int:
    text = label.strip()
    if text in LABELS:
        return LABELS.index(text)
    if text in ("0", "1", "2", "3", "4"):
        return int(text)
    if k != k:
        return 0
    return 1 if k < 15 else 2 if k < 30 else 3 if k < 50 else 4


def _walls(text: pd.Series) -> pd.Series:
    """Wall times as written: ISO (``2023-02-05 01:00:00``) or as a French spreadsheet
    writes them, day first (``05/02/2023 01:00``, seconds optional); NaT for anything else."""
    french = text.str.extract(r"^(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d\d)(?::(\d\d))?$")
    iso = french[2] + "-" + french[1].str.zfill(2) + "-" + french[0].str.zfill(2) + " "
    iso += french[3].str.zfill(2) + ":" + french[4] + ":" + french[5].fillna("00")
    written = iso.where(french[0].notna(), text.str.slice(0, 19).str.replace("T", " "))
    return pd.to_datetime(written, format="%Y-%m-%d %H:%M:%S", errors="coerce")


def _starts(stamps: pd.Series) -> pd.Series:
    """Start of each counted hour (UTC); NaT for a wall time Paris skips."""
    text = stamps.str.strip()
    offset = text.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True)
    ends = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
    if offset.any():
        ends[offset] = pd.to_datetime(text[offset], utc=True, format="ISO8601")
    if (~offset).any():
        wall = _walls(text[~offset])
        local = wall.dt.tz_localize("Europe/Paris", nonexistent="NaT", ambiguous=True)
        ends[~offset] = local.dt.tz_convert("UTC")
    return ends - pd.Timedelta(hours=1)


def hours(paths: Sequence[Path]) -> pd.DataFrame:
    """One row per kept (arc, counted hour): ``arc, start, day, hour, q, k, state``."""
    frames = []
    for order, path in enumerate(paths):
        frame = _table(path)
        frame["file"] = order
        frames.append(frame)
    rows = pd.concat(frames, ignore_index=True)
    rows["arc"] = pd.to_numeric(rows["arc"].str.strip(), errors="coerce")
    rows["start"] = _starts(rows["t"])
    rows = rows.dropna(subset=["arc", "start"])
    rows["q"], rows["k"] = _number(rows["q"]), _number(rows["k"])
    # the newest file wins; within a file, the highest flow, then occupancy
    rows = rows.sort_values(["file", "q", "k"], na_position="first", kind="stable")
    rows = rows.drop_duplicates(["arc", "start"], keep="last")
    local = rows["start"].dt.tz_convert("Europe/Paris")
    rows["day"] = local.dt.date
    rows["hour"] = local.dt.hour
    measured = rows["q"].notna() | rows["k"].notna()
    codes = [_code(s, k) for s, k in zip(rows["state"], rows["k"], strict=True)]
    rows["state"] = np.where(measured, codes, 0)
    rows["arc"] = rows["arc"].astype("int64")
    return rows[["arc", "start", "day", "hour", "q", "k", "state"]]


def referentiel(path: Path | None) -> pd.DataFrame:
    """``arc, label, lat, lon, zone``: the first row of each arc."""
    if path is None:
        return pd.DataFrame(columns=["arc", "label", "lat", "lon", "zone"])
    frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame = frame.rename(
        columns={"Identifiant arc": "arc", "iu_ac": "arc", "Libelle": "label", "libelle": "label"}
    )
    frame["arc"] = pd.to_numeric(frame["arc"], errors="coerce")
    frame = frame.dropna(subset=["arc"]).drop_duplicates("arc", keep="first")
    points = [point(p) for p in frame["geo_point_2d"]]
    frame["lat"] = [p[0] if p else float("nan") for p in points]
    frame["lon"] = [p[1] if p else float("nan") for p in points]
    frame["zone"] = [zone(a, o) for a, o in zip(frame["lat"], frame["lon"], strict=True)]
    frame["arc"] = frame["arc"].astype("int64")
    return frame[["arc", "label", "lat", "lon", "zone"]]


def _r(value: float | None, digits: int) -> float | None:
    if value is None or value != value:
        return None
    return round(float(value), digits)


def _mean(values: pd.Series, digits: int) -> float | None:
    values = values.dropna()
    return _r(values.sum() / len(values), digits) if len(values) else None


def _arc(arc: int, rows: pd.DataFrame, ref: dict[int, tuple[str, str]]) -> dict[str, Any]:
    label, place = ref.get(arc, ("", UNPLACED))
    states = [int((rows["state"] == code).sum()) for code in range(5)]
    known = states[1:]
    with_q = rows.dropna(subset=["q"])
    peak = None
    if len(with_q):
        top = with_q["q"].max()
        peak = int(with_q.loc[with_q["q"] == top, "hour"].min())
    return {
        "arc": arc,
        "label": label,
        "arrondissement": place,
        "total_flow": _r(with_q["q"].sum(), 1) if len(with_q) else None,
        "mean_flow": _mean(rows["q"], 1),
        "max_flow": _r(rows["q"].max(), 1),
        "mean_occupancy": _mean(rows["k"], 3),
        "dominant_state": LABELS[1 + known.index(max(known))] if any(known) else "Inconnu",
        "dominant_state_code": CODES[1 + known.index(max(known))] if any(known) else "unknown",
        "peak_hour": peak,
        "congested_hours": states[3] + states[4],
    }


def _zone(place: str, rows: pd.DataFrame, arcs: list[dict[str, Any]]) -> dict[str, Any]:
    q = rows["q"].dropna()
    return {
        "arrondissement": place,
        "arcs": len(arcs),
        "total_flow": _r(q.sum(), 1) if len(q) else None,
        "mean_flow": _mean(rows["q"], 1),
        "mean_occupancy": _mean(rows["k"], 3),
        "congested_hours": sum(a["congested_hours"] for a in arcs),
    }


def places(ref: pd.DataFrame) -> dict[int, tuple[str, str]]:
    """Arc -> (label, arrondissement)."""
    return {
        int(a): (str(label), str(z))
        for a, label, z in ref[["arc", "label", "zone"]].itertuples(index=False)
    }


def day_metrics(today: pd.DataFrame, places: dict[int, tuple[str, str]]) -> dict[str, Any] | None:
    """The traffic metrics of the day whose rows are ``today`` (from :func:`hours`), or None
    when none of them measured anything (no data)."""
    if today.empty or (today["q"].isna() & today["k"].isna()).all():
        return None
    arcs = [_arc(int(a), g, places) for a, g in today.groupby("arc", sort=True)]
    blocked = {int(a): int((g["state"] == 4).sum()) for a, g in today.groupby("arc")}
    alerting = [a for a in arcs if a["congested_hours"] >= 3 or blocked[a["arc"]] >= 1]
    alerting.sort(key=lambda a: (-a["congested_hours"], -blocked[a["arc"]], a["arc"]))
    alerts = [
        {
            **a,
            "level": "critique"
            if a["congested_hours"] >= 6 or blocked[a["arc"]] >= 2
            else "alerte",
            "level_code": "critical"
            if a["congested_hours"] >= 6 or blocked[a["arc"]] >= 2
            else "alert",
            "blocked_hours": blocked[a["arc"]],
        }
        for a in alerting[:MAX_ALERTS]
    ]
    zone_of = {a["arc"]: a["arrondissement"] for a in arcs}
    today = today.assign(zone=today["arc"].map(zone_of))
    zones = [
        _zone(z, g, [a for a in arcs if a["arrondissement"] == z])
        for z, g in today.groupby("zone", sort=True)
    ]
    ranked = sorted(
        (
            z
            for z in zones
            if z["mean_occupancy"] is not None and z["arrondissement"] not in (UNPLACED, OUTSIDE)
        ),
        key=lambda z: (-z["mean_occupancy"], z["arrondissement"]),
    )
    hourly = [
        {
            "hour": int(h),
            "rows": len(g),
            "total_flow": _r(g["q"].sum(), 1) if g["q"].notna().any() else None,
            "mean_flow": _mean(g["q"], 1),
            "mean_occupancy": _mean(g["k"], 3),
        }
        for h, g in today.groupby("hour", sort=True)
    ]
    flows: list[dict[str, Any]] = [h for h in hourly if h["mean_flow"] is not None]
    peak = max(flows, key=lambda h: (h["mean_flow"], -h["hour"]))["hour"] if flows else None
    states = {label: int((today["state"] == code).sum()) for code, label in enumerate(LABELS)}
    known = {k: v for k, v in states.items() if k != "Inconnu"}
    with_flow = [a for a in arcs if a["max_flow"] is not None]
    biggest = max(with_flow, key=lambda a: (a["max_flow"], -a["arc"])) if with_flow else None
    busiest = sorted(
        arcs, key=lambda a: (a["total_flow"] is None, -(a["total_flow"] or 0), a["arc"])
    )
    q = today["q"].dropna()
    return {
        "arcs": len(arcs),
        "arcs_with_flow": len(with_flow),
        "arcs_without_referentiel": sum(a["arrondissement"] == UNPLACED for a in arcs),
        "rows": len(today),
        "total_flow": _r(q.sum(), 1) if len(q) else None,
        "mean_flow": _mean(today["q"], 1),
        "max_flow": {
            "value": None if biggest is None else biggest["max_flow"],
            "arc": None if biggest is None else biggest["arc"],
        },
        "mean_occupancy": _mean(today["k"], 3),
        "state_hours": states,
        "dominant_state": max(known, key=lambda s: known[s]) if any(known.values()) else "Inconnu",
        "state_hours_code": {CODES[LABELS.index(label)]: n for label, n in states.items()},
        "dominant_state_code": CODES[LABELS.index(max(known, key=lambda s: known[s]))]
        if any(known.values())
        else "unknown",
        "peak_hour": peak,
        "lost_time_hours": sum(a["congested_hours"] for a in arcs),
        "congestion_alerts": alerts,
        "congested_arcs": len(alerting),
        "top_arcs": busiest[:TOP],
        "top_zones": ranked[:TOP],
        "by_arrondissement": zones,
        "hourly": hourly,
    }
