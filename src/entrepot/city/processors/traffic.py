"""Road-traffic metrics of one local day from the counts aggregate and the référentiel.

Definitions (per arc, over the day's hours):

- flow: ``total_flow`` = Σ q (vehicles; none, not 0, when no hour has a q: occupancy
  only), ``mean_flow`` = Σ q / hours with q, ``max_flow`` = max q; occupancy likewise
  from k (%).
- ``dominant_state``: the Etat trafic with the most hours, Inconnu only if it is all.
- ``peak_hour``: local start hour of the hour with the highest q (earliest on ties).
- ``congested_hours``: hours Saturé or Bloqué; ``lost_time_hours`` (city) is their
  sum over arcs, i.e. arc-hours lost to congestion.
- congestion alert: an arc with ≥ 3 congested hours or any Bloqué hour; level
  ``critical`` with ≥ 6 congested or ≥ 2 Bloqué hours, else ``alert``.

States and levels are stored as codes (``dominant_state_code``, ``state_hours_code``,
``level_code``; :mod:`entrepot.city.messages`); the French words beside them
(``dominant_state``, ``state_hours``, ``level``) are kept for the API's clients (ADR 0037).
- zones: arrondissements (see :mod:`entrepot.city.geo`); ``top_zones`` ranks them
  by mean occupancy.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from entrepot.city.bigcsv import CountsAggregate
from entrepot.city.errors import MissingInput
from entrepot.city.messages import STATES
from entrepot.city.polygons import OUTSIDE
from entrepot.city.processors.common import num, ratio
from entrepot.city.referentiel import UNKNOWN_ZONE
from entrepot.messages import N_, Message

STATE_LABELS = ("Inconnu", "Fluide", "Pré-saturé", "Saturé", "Bloqué")
TOP = 10
MAX_ALERTS = 50


def _per_arc(agg: CountsAggregate, ref: pd.DataFrame, day: date) -> pd.DataFrame:
    arcs = agg.arcs[agg.arcs["day"] == day]
    if arcs.empty:
        raise MissingInput(
            f"the counts export has no rows for {day}",
            said=Message(N_("error.city.counts_no_rows"), {"day": str(day)}),
        )
    frame = arcs.merge(ref, on="arc", how="left")
    frame["arrondissement"] = frame["arrondissement"].fillna(UNKNOWN_ZONE)
    frame["label"] = frame["label"].fillna("")
    q_n = frame["q_n"].to_numpy(dtype=np.float64)
    k_n = frame["k_n"].to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["mean_flow"] = np.where(q_n > 0, frame["q_sum_milli"] / 1000 / q_n, np.nan)
        frame["mean_occupancy"] = np.where(k_n > 0, frame["k_sum_micro"] / 1e5 / k_n, np.nan)
    frame["total_flow"] = np.where(q_n > 0, frame["q_sum_milli"] / 1000, np.nan)
    frame["max_flow"] = frame["q_max_milli"].astype("Float64") / 1000
    frame["max_occupancy"] = frame["k_max_micro"].astype("Float64") / 1e5
    known = frame[["state_1", "state_2", "state_3", "state_4"]].to_numpy()
    frame["dominant_state"] = np.where(known.sum(axis=1) > 0, known.argmax(axis=1) + 1, 0)
    frame["congested_hours"] = frame["state_3"] + frame["state_4"]
    return frame


def _arc_row(row: Any) -> dict[str, Any]:
    return {
        "arc": int(row.arc),
        "label": row.label,
        "arrondissement": row.arrondissement,
        "total_flow": num(row.total_flow, 1),
        "mean_flow": num(row.mean_flow, 1),
        "max_flow": num(row.max_flow, 1),
        "mean_occupancy": num(row.mean_occupancy, 3),
        "dominant_state": STATE_LABELS[int(row.dominant_state)],
        "dominant_state_code": STATES[int(row.dominant_state)],
        "peak_hour": None if pd.isna(row.peak_hour) else int(row.peak_hour),
        "congested_hours": int(row.congested_hours),
    }


def _alerts(frame: pd.DataFrame) -> list[dict[str, Any]]:
    hit = frame[(frame["congested_hours"] >= 3) | (frame["state_4"] >= 1)]
    hit = hit.sort_values(["congested_hours", "state_4", "arc"], ascending=[False, False, True])
    alerts = []
    for row in hit.head(MAX_ALERTS).itertuples():
        critical = row.congested_hours >= 6 or row.state_4 >= 2
        alerts.append(
            {
                **_arc_row(row),
                "level": "critique" if critical else "alerte",
                "level_code": "critical" if critical else "alert",
                "blocked_hours": int(row.state_4),
            }
        )
    return alerts


def _zones(frame: pd.DataFrame) -> list[dict[str, Any]]:
    grouped = frame.groupby("arrondissement", sort=True).agg(
        arcs=("arc", "size"),
        q_sum=("q_sum_milli", "sum"),
        q_n=("q_n", "sum"),
        k_sum=("k_sum_micro", "sum"),
        k_n=("k_n", "sum"),
        congested_hours=("congested_hours", "sum"),
    )
    return [
        {
            "arrondissement": zone,
            "arcs": int(g.arcs),
            "total_flow": num(g.q_sum / 1000, 1) if g.q_n else None,
            "mean_flow": num(ratio(g.q_sum / 1000, g.q_n, 6), 1),
            "mean_occupancy": num(ratio(g.k_sum / 1e5, g.k_n, 6), 3),
            "congested_hours": int(g.congested_hours),
        }
        for zone, g in grouped.iterrows()
    ]


def _hourly(agg: CountsAggregate, day: date) -> list[dict[str, Any]]:
    hours = agg.hours[agg.hours["day"] == day]
    return [
        {
            "hour": int(h.hour),
            "rows": int(h.rows),
            "total_flow": num(h.q_sum_milli / 1000, 1) if h.q_n else None,
            "mean_flow": num(ratio(h.q_sum_milli / 1000, h.q_n, 6), 1),
            "mean_occupancy": num(ratio(h.k_sum_micro / 1e5, h.k_n, 6), 3),
        }
        for h in hours.itertuples()
    ]


def traffic_metrics(agg: CountsAggregate, ref: pd.DataFrame, day: date) -> dict[str, Any]:
    """The traffic metrics of ``day`` (raises :class:`MissingInput` without rows that day)."""
    frame = _per_arc(agg, ref, day)
    q_sum, q_n = int(frame["q_sum_milli"].sum()), int(frame["q_n"].sum())
    k_sum, k_n = int(frame["k_sum_micro"].sum()), int(frame["k_n"].sum())
    hours = [int(frame[f"state_{i}"].sum()) for i in range(5)]
    states = dict(zip(STATE_LABELS, hours, strict=True))
    hourly = _hourly(agg, day)
    with_mean = [h for h in hourly if h["mean_flow"] is not None]
    peak = max(with_mean, key=lambda h: (h["mean_flow"], -h["hour"])) if with_mean else None
    busiest = frame.sort_values(["total_flow", "arc"], ascending=[False, True])
    zones = _zones(frame)
    ranked_zones = sorted(
        (
            z
            for z in zones
            if z["mean_occupancy"] is not None
            and z["arrondissement"] not in (UNKNOWN_ZONE, OUTSIDE)
        ),
        key=lambda z: (-z["mean_occupancy"], z["arrondissement"]),
    )
    max_row = frame.loc[frame["max_flow"].fillna(-1).idxmax()]
    known = hours[1:]
    dominant = 1 + known.index(max(known)) if any(known) else 0
    return {
        "arcs": len(frame),
        "arcs_with_flow": int((frame["q_n"] > 0).sum()),
        "arcs_without_referentiel": int((frame["arrondissement"] == UNKNOWN_ZONE).sum()),
        "rows": int(frame["rows"].sum()),
        "total_flow": num(q_sum / 1000, 1) if q_n else None,
        "mean_flow": num(ratio(q_sum / 1000, q_n, 6), 1),
        "max_flow": {
            "value": num(max_row["max_flow"], 1),
            # a day of occupancy-only rows has no flow, and no arc holds its maximum
            "arc": None if pd.isna(max_row["max_flow"]) else int(max_row["arc"]),
        },
        "mean_occupancy": num(ratio(k_sum / 1e5, k_n, 6), 3),
        "state_hours": states,
        "state_hours_code": dict(zip(STATES, hours, strict=True)),
        "dominant_state": STATE_LABELS[dominant],
        "dominant_state_code": STATES[dominant],
        "peak_hour": None if peak is None else peak["hour"],
        "lost_time_hours": int(frame["congested_hours"].sum()),
        "congestion_alerts": _alerts(frame),
        "congested_arcs": int(((frame["congested_hours"] >= 3) | (frame["state_4"] >= 1)).sum()),
        "top_arcs": [_arc_row(r) for r in busiest.head(TOP).itertuples()],
        "top_zones": ranked_zones[:TOP],
        "by_arrondissement": zones,
        "hourly": hourly,
    }
