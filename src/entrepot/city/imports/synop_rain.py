"""SYNOP precipitation -> rain per hour, each hour named by its start (UTC).

``rrN`` is the rain over the N hours *ending* at the observation (``rr1``, ``rr3``, ``rr6``,
``rr12``, ``rr24``; ``-0.1``, traces, counts as 0). Finest first, never counted twice:

1. an hour is the ``rr1`` of the observation at its end when there is one (exact);
2. the hours of an ``rr3`` window still unknown share evenly what ``rr3`` leaves once its
   known hours are taken off; then likewise ``rr6``, ``rr12`` and ``rr24`` for hours
   still unknown.

A shared amount is exact for a Paris day only when its hours all fall in that day; each
hour records the accumulation it came from (``precipitation_accumulation_h``: 1, 3, 6, 12
or 24) and, when a non-zero share crossed a Paris midnight, ``precipitation_split`` = 1,
so the day's document can say its total is an estimate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from entrepot.city.days import paris

#: The SYNOP accumulations, finest first: column -> hours ending at the observation.
ACCUMULATIONS = (("rr1", 1), ("rr3", 3), ("rr6", 6), ("rr12", 12), ("rr24", 24))
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class HourRain:
    """Rain over the hour starting at a UTC instant, and where it came from."""

    mm: float
    accumulation_h: int
    split: bool


def hourly_rain(
    observations: Iterable[tuple[datetime, dict[str, float | None]]],
) -> dict[datetime, HourRain]:
    """Rain per hour start from ``(observation instant, {rrN: mm or None})``."""
    obs = sorted(observations, key=lambda o: o[0])
    known: dict[datetime, HourRain] = {}
    for column, hours in ACCUMULATIONS:
        for at, values in obs:
            total = values.get(column)
            if total is None:
                continue
            window = [at - HOUR * (ago + 1) for ago in range(hours)]
            unknown = [start for start in window if start not in known]
            if not unknown:
                continue
            rest = max(max(total, 0.0) - sum(known[s].mm for s in window if s in known), 0.0)
            share = round(rest / len(unknown), 3)
            days = {start.astimezone(paris()).date() for start in unknown}
            split = hours > 1 and share > 0 and len(days) > 1
            for start in unknown:
                known[start] = HourRain(share, hours, split)
    return known
