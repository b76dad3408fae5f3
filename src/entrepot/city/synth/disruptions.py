"""Hourly public-transport disruption snapshots (the original's "traffic" feed).

Navitia-like envelope ``{"disruptions": [...], "context": {...}}``: Poisson(3)
new disruptions an hour, log-normal durations (median 2 h, a tail to months),
severity effects SIGNIFICANT_DELAYS / REDUCED_SERVICE / NO_SERVICE / OTHER_EFFECT with
priorities, ``application_periods`` in local ``YYYYMMDDTHHMMSS``. A snapshot lists
the disruptions active at its instant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

from entrepot.city.days import LocalHour, paris
from entrepot.city.synth.common import rng

#: effect -> (probability, priority, severity name); a lower priority is more severe.
EFFECTS = {
    "NO_SERVICE": (0.15, 10, "bloquante"),
    "SIGNIFICANT_DELAYS": (0.35, 20, "perturbée"),
    "REDUCED_SERVICE": (0.25, 30, "réduite"),
    "OTHER_EFFECT": (0.25, 40, "information"),
}
LINES = (
    *(
        f"Métro {n}"
        for n in ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14")
    ),
    *(f"RER {x}" for x in "ABCDE"),
    *(f"Bus {n}" for n in (20, 21, 38, 42, 63, 72, 91, 95)),
    *(f"Tramway T{n}" for n in ("2", "3a", "3b")),
)
CAUSES = ("travaux", "incident technique", "mouvement social", "affluence", "manifestation")
LOOKBACK_DAYS = 30


@dataclass(frozen=True)
class Disruption:
    """One generated disruption."""

    ident: str
    begin: datetime
    end: datetime
    effect: str
    line: str
    cause: str


def make_disruptions(start: date, days: int, seed: int) -> list[Disruption]:
    """Disruptions starting from ``LOOKBACK_DAYS`` before ``start`` to the end of the window."""
    g = rng(seed, "disruptions", start.toordinal())
    origin = datetime(start.year, start.month, start.day, tzinfo=UTC) - timedelta(
        days=LOOKBACK_DAYS
    )
    hours = (days + LOOKBACK_DAYS + 1) * 24
    per_hour = g.poisson(3, hours)
    total = int(per_hour.sum())
    offsets = np.repeat(np.arange(hours), per_hour) * 3600 + g.integers(0, 3600, total)
    seconds = np.minimum(g.lognormal(np.log(7200), 1.6, total), 120 * 86400)
    names = list(EFFECTS)
    effects = g.choice(len(names), size=total, p=[EFFECTS[n][0] for n in names])
    lines = g.integers(0, len(LINES), total)
    causes = g.integers(0, len(CAUSES), total)
    return [
        Disruption(
            ident=f"disruption-{seed}-{start.toordinal()}-{i:06d}",
            begin=origin + timedelta(seconds=int(offsets[i])),
            end=origin + timedelta(seconds=int(offsets[i] + seconds[i])),
            effect=names[effects[i]],
            line=LINES[lines[i]],
            cause=CAUSES[causes[i]],
        )
        for i in range(total)
    ]


def _navitia_time(instant: datetime) -> str:
    return instant.astimezone(paris()).strftime("%Y%m%dT%H%M%S")


def snapshot(disruptions: list[Disruption], hour: LocalHour) -> dict[str, Any]:
    """The disruptions active at the start of ``hour``."""
    now = hour.start
    active = [d for d in disruptions if d.begin <= now < d.end]
    items = []
    for d in active:
        _, priority, severity = EFFECTS[d.effect]
        items.append(
            {
                "id": d.ident,
                "disruption_id": d.ident,
                "status": "active",
                "cause": d.cause,
                "severity": {"name": severity, "effect": d.effect, "priority": priority},
                "application_periods": [
                    {"begin": _navitia_time(d.begin), "end": _navitia_time(d.end)}
                ],
                "updated_at": _navitia_time(d.begin),
                "messages": [{"text": f"{d.line} : {d.cause}, trafic {severity}."}],
                "impacted_objects": [
                    {"pt_object": {"name": d.line, "embedded_type": "line", "id": f"line:{d.line}"}}
                ],
            }
        )
    return {
        "disruptions": items,
        "pagination": {"total_result": len(items), "items_on_page": len(items)},
        "context": {"current_datetime": _navitia_time(now), "timezone": "Europe/Paris"},
    }
