"""What a day's warnings must name, from the definitions of ``docs/city.md`` ("What a day's
warnings mean"), computed in plain pandas from the rows the other modules read: each
function gives the parameters of the warning it expects (``{}`` when none is due).

- an arc measured (a flow or an occupancy) the day before and not measured on the day;
- an arc-hour above 10,000 vehicles, or an occupancy above 100 %;
- a bike counter whose last counted hour comes before the day's last counted hour;
- a counting site with more than one counter;
- a Vélib' station whose ``last_reported`` is more than a day behind every snapshot.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import pandas as pd

FLOW_LIMIT, DAY_SECONDS = 10_000, 86_400


def _measured(rows: pd.DataFrame, day: date) -> set[int]:
    today = rows[rows["day"] == day]
    return set(today.loc[today["q"].notna() | today["k"].notna(), "arc"].tolist())


def stopped_arcs(rows: pd.DataFrame, day: date) -> dict[str, Any]:
    """``rows``: :func:`tests.support.city_reference.traffic.hours`."""
    gone = _measured(rows, day - timedelta(days=1)) - _measured(rows, day)
    return {"count": len(gone)} if gone else {}


def implausible(rows: pd.DataFrame, day: date) -> tuple[dict[str, Any], dict[str, Any]]:
    """(flow, occupancy) warnings of ``day``."""
    today = rows[rows["day"] == day]
    flow = today.loc[today["q"] > FLOW_LIMIT, "arc"].nunique()
    occupancy = today.loc[today["k"] > 100, "arc"].nunique()
    return (
        {"count": flow, "limit": FLOW_LIMIT} if flow else {},
        {"count": occupancy} if occupancy else {},
    )


def counters_stopped(rows: pd.DataFrame, day: date) -> dict[str, Any]:
    """``rows``: :func:`tests.support.city_reference.bikes.counter_rows`."""
    today = rows[rows["day"] == day]
    last = today.groupby("counter")["start"].max()
    stopped = int((last < today["start"].max()).sum())
    return {"count": stopped} if stopped else {}


def shared_sites(rows: pd.DataFrame, day: date) -> dict[str, Any]:
    """Sites of ``day`` with several counters, and those counters."""
    today = rows[rows["day"] == day]
    per_site = today.groupby("site")["counter"].nunique()
    shared = per_site[per_site > 1]
    return {"count": len(shared), "counters": int(shared.sum())} if len(shared) else {}


def stale_stations(snapshots: Sequence[pd.DataFrame]) -> dict[str, Any]:
    """Stations more than a day behind every snapshot (``at``, ``code``, ``reported``; a
    record whose ``reported`` is 0 never reported and is not judged)."""
    lags: dict[str, int] = {}
    for snapshot in snapshots:
        at = int(pd.Timestamp(snapshot["at"].iloc[0]).timestamp())
        for code, reported in zip(snapshot["code"], snapshot["reported"], strict=True):
            if reported > 0:
                lags[code] = min(lags.get(code, at - reported), at - reported)
    stale = [lag for lag in lags.values() if lag > DAY_SECONDS]
    return {"count": len(stale), "days": max(stale) // DAY_SECONDS} if stale else {}


def warned(document: dict[str, Any], key: str) -> dict[str, Any]:
    """The parameters of the warning ``key`` of a stored ``document`` (``{}`` when absent)."""
    for message in document.get("warning_messages") or []:
        if message and message["key"] == key:
            return dict(message["params"])
    return {}
