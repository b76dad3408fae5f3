"""Warnings for what a day's numbers cannot correct: sensors that stop, implausible values,
several counters at one site, stale station snapshots.

None of them changes a number: what they name is counted as it came (or, for a sensor
that stopped, not counted: never read as 0) and the day's document says so, in a
:class:`~entrepot.city.messages.Note` (a message key and its parameters, ADR 0037). The
thresholds are here, once, and ``docs/city.md`` ("What a day's warnings mean") says
what each warning means:

- an **arc that stops**: counted (a flow or an occupancy) the day before, and without
  any row, or with only empty values, on the day;
- an **implausible** flow or occupancy: an arc-hour above :data:`MAX_FLOW` vehicles
  (the widest arcs, four lanes of the boulevard périphérique, carry about 8,000) or an
  occupancy above 100 %; a **temperature jump** of more than :data:`MAX_TEMPERATURE_STEP`
  °C between two consecutive hours;
- a **counter that stops**: a bike counter that reported earlier in the day and not in
  the day's last counted hour (its total covers the hours it reported);
- **several counters at one site** (one per direction): each counter is counted on its
  own and a site's count is the sum of its counters, never their mean;
- a **stale station**: a Vélib' station whose ``last_reported`` is more than
  :data:`STALE_DAYS` day older than every snapshot of the day it is counted in.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from entrepot.city.bigcsv import CountsAggregate
from entrepot.city.messages import (
    WARNING_ARCS_STOPPED,
    WARNING_COUNTER_SITES,
    WARNING_COUNTERS_STOPPED,
    WARNING_IMPLAUSIBLE_FLOW,
    WARNING_IMPLAUSIBLE_OCCUPANCY,
    WARNING_STALE_STATIONS,
    WARNING_TEMPERATURE_JUMP,
    Note,
    Param,
)

#: Vehicles in one hour on one arc above which a flow is not physical.
MAX_FLOW = 10_000
#: An occupancy (% of the hour a loop is covered) cannot exceed this.
MAX_OCCUPANCY = 100.0
#: °C between two consecutive hours above which a temperature is implausible.
MAX_TEMPERATURE_STEP = 8.0
#: Days a station's ``last_reported`` may lag behind its snapshot before it is stale.
STALE_DAYS = 1
#: Ids named in a warning's English text.
NAMED = 5


def _names(values: list[str]) -> str:
    shown = ", ".join(values[:NAMED])
    return shown + (", …" if len(values) > NAMED else "")


def arc_notes(agg: CountsAggregate, day: date) -> list[str]:
    """Arcs that stop and implausible flows or occupancies on ``day``; ``agg`` must hold
    the day before ``day`` for the first."""
    arcs = agg.arcs
    today = arcs[arcs["day"] == day]
    before = arcs[(arcs["day"] == day - timedelta(days=1)) & ((arcs["q_n"] + arcs["k_n"]) > 0)]
    measured = set(today.loc[(today["q_n"] + today["k_n"]) > 0, "arc"].astype(int))
    stopped = sorted(set(before["arc"].astype(int)) - measured)
    notes: list[str] = []
    if stopped:
        notes.append(
            Note(
                f"{len(stopped)} arc(s) counted on {day - timedelta(days=1)} report nothing "
                f"on {day} ({_names([str(a) for a in stopped])}): nothing of them is in the "
                "day's figures, not even a 0",
                WARNING_ARCS_STOPPED,
                count=len(stopped),
            )
        )
    flow = today["q_max_milli"].astype("Float64") / 1000 > MAX_FLOW
    occupancy = today["k_max_micro"].astype("Float64") / 1e5 > MAX_OCCUPANCY
    checks = (
        (flow, f"count more than {MAX_FLOW} vehicles in one hour", WARNING_IMPLAUSIBLE_FLOW),
        (occupancy, "have an occupancy above 100 %", WARNING_IMPLAUSIBLE_OCCUPANCY),
    )
    for hit, what, key in checks:
        named = sorted(today.loc[hit.fillna(False).astype(bool), "arc"].astype(int))
        if named:
            params: dict[str, Param] = {"count": len(named)}
            if key == WARNING_IMPLAUSIBLE_FLOW:
                params["limit"] = MAX_FLOW
            notes.append(
                Note(
                    f"{len(named)} arc(s) on {day} {what} "
                    f"({_names([str(a) for a in named])}): kept as counted, check them",
                    key,
                    **params,  # type: ignore[arg-type]  # no at_hours among them
                )
            )
    return notes


def temperature_notes(temperature: pd.Series, day: date) -> list[str]:
    """Jumps of more than :data:`MAX_TEMPERATURE_STEP` °C between consecutive hours of
    ``temperature`` (indexed by UTC hour)."""
    known = temperature.dropna().sort_index()
    if len(known) < 2:
        return []
    steps = known.diff().abs()
    gaps = known.index.to_series().diff() == pd.Timedelta(hours=1)
    jumps = int(((steps > MAX_TEMPERATURE_STEP) & gaps).sum())
    if not jumps:
        return []
    return [
        Note(
            f"{jumps} hour(s) on {day} where the temperature changes by more than "
            f"{MAX_TEMPERATURE_STEP:g} °C in one hour: kept as measured, check them",
            WARNING_TEMPERATURE_JUMP,
            count=jumps,
            celsius=MAX_TEMPERATURE_STEP,
        )
    ]


def site_of(counter: str, site: object) -> str:
    """A counter's site: its ``id_site``, else the part of its id before ``-`` (the
    portal's ids are ``<site>-<counter>``), else the counter itself."""
    text = "" if site is None else str(site).strip()
    return text or counter.split("-", 1)[0]


def counter_notes(frame: pd.DataFrame, day: date) -> list[str]:
    """Counters that stop and sites with several counters, from the day's counter rows
    (``counter``, ``site``, ``slot``: the counted hour's rank in the day)."""
    notes: list[str] = []
    last = frame.groupby("counter")["slot"].max()
    stopped = sorted(last[last < frame["slot"].max()].index.astype(str))
    if stopped:
        notes.append(
            Note(
                f"{len(stopped)} counter(s) report nothing after some hour of {day} "
                f"({_names(stopped)}): their totals cover only the hours they reported",
                WARNING_COUNTERS_STOPPED,
                count=len(stopped),
            )
        )
    per_site = frame.groupby("site")["counter"].nunique()
    shared = per_site[per_site > 1]
    if not shared.empty:
        notes.append(
            Note(
                f"{len(shared)} site(s) on {day} have several counters "
                f"({int(shared.sum())} counters, one per direction): each counter is counted "
                "on its own and a site's count is the sum of its counters, not their mean",
                WARNING_COUNTER_SITES,
                count=len(shared),
                counters=int(shared.sum()),
            )
        )
    return notes


def station_notes(frame: pd.DataFrame, day: date) -> list[str]:
    """Stations whose ``last_reported`` lags more than :data:`STALE_DAYS` behind every
    snapshot of the day they are counted in (``code``, ``snapshot``, ``reported``: epoch
    seconds; a record without ``last_reported`` is not judged)."""
    judged = frame[frame["reported"] > 0]
    lag = (judged["snapshot"] - judged["reported"]).groupby(judged["code"]).min()
    stale = lag[lag > STALE_DAYS * 86_400]
    if stale.empty:
        return []
    days = int(stale.max() // 86_400)
    return [
        Note(
            f"{len(stale)} station(s) counted on {day} had not reported for more than "
            f"{STALE_DAYS} day (up to {days} days; {_names(sorted(stale.index.astype(str)))}): "
            "their bikes and docks are as of their last report",
            WARNING_STALE_STATIONS,
            count=len(stale),
            days=days,
        )
    ]
