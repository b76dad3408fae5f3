"""Road-traffic metrics of a day, recomputed from the counts day partitions (ADR 0084's
``raw/counts/dt=DAY/<sha16>.parquet``) with pandas alone, from the definitions of
``docs/city.md`` ("Road traffic"), sharing nothing with the scan's SQL.

A row's time is the **end** of its counted hour: with an offset an instant, without one a
Paris wall time (a skipped spring wall time is dropped; an ambiguous autumn one is the
first, summer-time, instant). The hour is named by its start in Paris time. Of the rows
of one (arc, hour) the newest export's is kept, within an export the highest flow then
occupancy. A state is the label (a word or its digit), else derived from the occupancy
(< 15 fluid, < 30 dense, < 50 saturated, else blocked); a row without flow and occupancy
is unknown.

What is recomputed: the day's counts, flows, occupancy, states, peak hour, lost time,
congested arcs, every hour's figures, the ten busiest arcs' figures and labels, and the arcs
the newest référentiel does not place (no row, or a row without a point; its first row of
an arc wins); :data:`NOT_CHECKED` names the rest.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

import pandas as pd

from entrepot.city import layout
from entrepot.city.check.values import rounded
from entrepot.storage.protocols import Get, List

PARIS = "Europe/Paris"
LABELS = ("Inconnu", "Fluide", "Pré-saturé", "Saturé", "Bloqué")
CODES = ("unknown", "fluid", "dense", "saturated", "blocked")
TOP = 10
#: Stored traffic metrics this module does not recompute (they need the arrondissements'
#: polygons).
NOT_CHECKED = (
    "traffic.by_arrondissement",
    "traffic.top_zones",
    "traffic.top_arcs.arrondissement",
    "traffic.congestion_alerts",
)

#: A recomputed metric: its path in the stored ``metrics`` and (value, float digits or
#: None for an exact value).
Recomputed = dict[str, tuple[Any, int | None]]


class Lake(Get, List, Protocol):
    """What the check reads the lake with (a protocol: any store that gets and lists)."""


def versions(store: List) -> tuple[dict[str, int], list[str]]:
    """The partitioned exports' order (sha16 -> rank, oldest first, by their stored
    version's key) and the counts exports that have no partitions (read whole by a run:
    not checked here)."""
    stored = sorted(i.key for i in store.list(f"{layout.BATCH_ROOT}/counts/") if "/_" not in i.key)
    legacy = [i.key for i in store.list(layout.batch_key(layout.COUNTS_CSV))]
    manifests = {i.key.rsplit("/", 1)[-1][:16] for i in store.list(layout.COUNTS_MANIFESTS)}
    rank: dict[str, int] = {}
    whole = [k for k in legacy if k == layout.batch_key(layout.COUNTS_CSV)]
    for key in stored:
        sha16 = key.rsplit("/", 1)[-1].split("-", 1)[-1].split(".", 1)[0]
        if sha16 in manifests:
            rank[sha16] = len(rank)
        else:
            whole.append(key)
    return rank, whole


@dataclass(frozen=True)
class Arc:
    """What the référentiel says of an arc: its label, and whether it has a point."""

    label: str
    placed: bool


def referentiel(store: Lake) -> dict[int, Arc]:
    """The arcs of the newest stored référentiel (its legacy name first, then the versions
    by as-of instant), the first row of an arc winning; empty without one."""
    legacy = layout.batch_key(layout.REFERENTIEL_CSV)
    keys = [i.key for i in store.list(legacy) if i.key == legacy]
    keys += sorted(i.key for i in store.list(layout.versions_prefix(layout.REFERENTIEL_CSV)))
    if not keys:
        return {}
    text = store.get(keys[-1]).decode("utf-8-sig")
    sep = ";" if text.split("\n", 1)[0].count(";") else ","
    out: dict[int, Arc] = {}
    for row in csv.DictReader(io.StringIO(text), delimiter=sep):
        number = _arc(row.get("Identifiant arc", row.get("iu_ac")))
        if number is not None and number not in out:
            label = row.get("Libelle", row.get("libelle")) or ""
            out[number] = Arc(label, _point(row.get("geo_point_2d")))
    return out


def _arc(text: str | None) -> int | None:
    try:
        value = float((text or "").strip())
    except ValueError:
        return None
    return int(value) if value == value and value.is_integer() else None


def _point(text: str | None) -> bool:
    parts = (text or "").split(",")
    try:
        return len(parts) == 2 and all(float(p) == float(p) for p in parts)
    except ValueError:
        return False


def day_rows(store: Lake, day: date, rank: Mapping[str, int]) -> pd.DataFrame | None:
    """The kept rows of ``day``: ``arc, hour, q, k, state`` (state as a code 0-4); None
    when the day has no partition."""
    frames = []
    for info in store.list(layout.counts_day_prefix(day)):
        name = info.key.rsplit("/", 1)[-1]
        if not name.endswith(".parquet"):
            continue
        frame = pd.read_parquet(io.BytesIO(store.get(info.key)))
        frame["rank"] = rank.get(name[:16], -1)
        frames.append(frame)
    if not frames:
        return None
    rows = pd.concat(frames, ignore_index=True)
    rows["arc"] = pd.to_numeric(rows["arc_text"].astype(str).str.strip(), errors="coerce")
    rows["start"] = _starts(rows["t_text"].astype(str))
    rows = rows.dropna(subset=["arc", "start"])
    rows["q"], rows["k"] = _number(rows["q_raw"]), _number(rows["k_raw"])
    rows = rows.sort_values(["rank", "q", "k"], na_position="first", kind="stable")
    rows = rows.drop_duplicates(["arc", "start"], keep="last")
    local = rows["start"].dt.tz_convert(PARIS)
    rows = rows[local.dt.date == day]
    rows["hour"] = local[local.dt.date == day].dt.hour
    measured = rows["q"].notna() | rows["k"].notna()
    states = [_state(str(s), k) for s, k in zip(rows["label"], rows["k"], strict=True)]
    rows["state"] = [s if m else 0 for s, m in zip(states, measured, strict=True)]
    rows["arc"] = rows["arc"].astype("int64")
    return rows[["arc", "hour", "q", "k", "state"]].reset_index(drop=True)


def _number(column: pd.Series) -> pd.Series:
    text = column.astype("string").str.strip().str.replace(",", ".", regex=False)
    return pd.to_numeric(text, errors="coerce").astype(float)


def _state(label: str, k: float) -> int:
    text = label.strip()
    if text in LABELS:
        return LABELS.index(text)
    if text in ("0", "1", "2", "3", "4"):
        return int(text)
    if k != k:
        return 0
    return 1 if k < 15 else 2 if k < 30 else 3 if k < 50 else 4


def _starts(text: pd.Series) -> pd.Series:
    """The UTC start of each counted hour; NaT for a wall time Paris skips."""
    text = text.str.strip()
    offset = text.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True)
    ends = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
    if offset.any():
        ends[offset] = pd.to_datetime(text[offset], utc=True, format="ISO8601")
    if (~offset).any():
        walls = pd.to_datetime(
            text[~offset].str.slice(0, 19).str.replace("T", " "),
            format="%Y-%m-%d %H:%M:%S",
            errors="coerce",
        )
        local = walls.dt.tz_localize(PARIS, nonexistent="NaT", ambiguous=True)
        ends[~offset] = local.dt.tz_convert("UTC")
    return ends - pd.Timedelta(hours=1)


def _mean(values: pd.Series, digits: int) -> float | None:
    values = values.dropna()
    return rounded(values.sum() / len(values), digits) if len(values) else None


def _total(values: pd.Series) -> float | None:
    values = values.dropna()
    return rounded(values.sum(), 1) if len(values) else None


def day_metrics(rows: pd.DataFrame, arcs: Mapping[int, Arc]) -> Recomputed | None:
    """The recomputed traffic metrics of one day's rows (``arcs``: the référentiel's, from
    :func:`referentiel`); None when no row measured anything (no traffic document)."""
    if rows.empty or (rows["q"].isna() & rows["k"].isna()).all():
        return None
    per_arc = rows.groupby("arc", sort=True)
    congested = per_arc["state"].apply(lambda s: int(s.isin([3, 4]).sum()))
    blocked = per_arc["state"].apply(lambda s: int((s == 4).sum()))
    arc_max = per_arc["q"].max()
    with_flow = arc_max.dropna()
    biggest = None
    if len(with_flow):
        top = with_flow.max()
        biggest = int(with_flow[with_flow == top].index.min())
    states = [int((rows["state"] == code).sum()) for code in range(5)]
    known = states[1:]
    dominant = 1 + known.index(max(known)) if any(known) else 0
    out: Recomputed = {
        "arcs": (int(per_arc.ngroups), None),
        "arcs_with_flow": (len(with_flow), None),
        "arcs_without_referentiel": (
            sum(1 for a in per_arc.groups if not (a in arcs and arcs[a].placed)),
            None,
        ),
        "rows": (len(rows), None),
        "total_flow": (_total(rows["q"]), 1),
        "mean_flow": (_mean(rows["q"], 1), 1),
        "max_flow.value": (rounded(with_flow.max(), 1) if len(with_flow) else None, 1),
        "max_flow.arc": (biggest, None),
        "mean_occupancy": (_mean(rows["k"], 3), 3),
        "dominant_state_code": (CODES[dominant], None),
        "dominant_state": (LABELS[dominant], None),
        "lost_time_hours": (int(congested.sum()), None),
        "congested_arcs": (int(((congested >= 3) | (blocked >= 1)).sum()), None),
    }
    for code, n in enumerate(states):
        out[f"state_hours_code.{CODES[code]}"] = (n, None)
        out[f"state_hours.{LABELS[code]}"] = (n, None)
    best: tuple[float, int] | None = None
    for hour, group in rows.groupby("hour", sort=True):
        mean_flow = _mean(group["q"], 1)
        at = f"hourly.hour={int(hour)}"
        out[f"{at}.rows"] = (len(group), None)
        out[f"{at}.total_flow"] = (_total(group["q"]), 1)
        out[f"{at}.mean_flow"] = (mean_flow, 1)
        out[f"{at}.mean_occupancy"] = (_mean(group["k"], 3), 3)
        if mean_flow is not None and (best is None or mean_flow > best[0]):
            best = (mean_flow, int(hour))
    out["peak_hour"] = (None if best is None else best[1], None)
    out.update(_top_arcs(rows, arcs))
    return out


def _top_arcs(rows: pd.DataFrame, arcs: Mapping[int, Arc]) -> Recomputed:
    """The ten arcs with the largest total flow (an arc without flow last, then by number)."""
    figures: list[tuple[int, Recomputed]] = []
    for arc, group in rows.groupby("arc", sort=True):
        states = [int((group["state"] == code).sum()) for code in range(5)]
        known = states[1:]
        with_q = group.dropna(subset=["q"])
        peak = None
        if len(with_q):
            peak = int(with_q.loc[with_q["q"] == with_q["q"].max(), "hour"].min())
        figures.append(
            (
                int(arc),
                {
                    "arc": (int(arc), None),
                    "label": (arcs[int(arc)].label if int(arc) in arcs else "", None),
                    "total_flow": (_total(group["q"]), 1),
                    "mean_flow": (_mean(group["q"], 1), 1),
                    "max_flow": (rounded(group["q"].max(), 1), 1),
                    "mean_occupancy": (_mean(group["k"], 3), 3),
                    "dominant_state_code": (
                        CODES[1 + known.index(max(known))] if any(known) else "unknown",
                        None,
                    ),
                    "peak_hour": (peak, None),
                    "congested_hours": (states[3] + states[4], None),
                },
            )
        )
    figures.sort(key=lambda a: (a[1]["total_flow"][0] is None, -(a[1]["total_flow"][0] or 0), a[0]))
    return {
        f"top_arcs.{rank}.{name}": value
        for rank, (_, arc) in enumerate(figures[:TOP])
        for name, value in arc.items()
    }
