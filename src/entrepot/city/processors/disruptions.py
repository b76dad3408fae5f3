"""Public-transport disruption metrics of one local day (the raw ``traffic`` API feed).

Each hourly snapshot lists the disruptions active then (Navitia-like
``disruptions`` with ``severity.effect``, ``application_periods`` in local
``YYYYMMDDTHHMMSS`` and ``impacted_objects``). A disruption is counted once per
day however many snapshots list it; ``active_by_hour`` counts it in each hour.
``new_today`` started on the day; durations come from the application periods.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from statistics import median
from typing import Any

from entrepot.city.errors import RawFormatError
from entrepot.city.lake import DayRead
from entrepot.city.processors.common import num
from entrepot.city.readers import read_object
from entrepot.messages import N_, Message

TOP = 10


def _period_hours(item: dict[str, Any]) -> tuple[datetime, float] | None:
    periods = item.get("application_periods") or []
    try:
        begins = [datetime.strptime(p["begin"], "%Y%m%dT%H%M%S") for p in periods]
        ends = [datetime.strptime(p["end"], "%Y%m%dT%H%M%S") for p in periods]
    except (KeyError, ValueError, TypeError):
        return None
    if not begins:
        return None
    return min(begins), sum(
        (e - b).total_seconds() for b, e in zip(begins, ends, strict=True)
    ) / 3600


def disruption_metrics(read: DayRead) -> dict[str, Any]:
    """The disruption metrics of ``read.day``."""
    seen: dict[str, dict[str, Any]] = {}
    per_hour: Counter[int] = Counter()
    for file in read.files:
        doc = read_object(file.key, file.data)
        items = doc.get("disruptions") if isinstance(doc, dict) else doc
        if not isinstance(items, list):
            raise RawFormatError(
                "no 'disruptions' list",
                key=file.key,
                said=Message(N_("error.city.no_disruptions_list"), {"file": file.key}),
            )
        hour_ids = set()
        for item in items:
            ident = str(item.get("id") or item.get("disruption_id"))
            hour_ids.add(ident)
            seen[ident] = item
        per_hour[file.partition.hour] = max(per_hour[file.partition.hour], len(hour_ids))
    effects: Counter[str] = Counter()
    lines: Counter[str] = Counter()
    causes: Counter[str] = Counter()
    durations: list[float] = []
    new_today = 0
    for item in seen.values():
        effects[(item.get("severity") or {}).get("effect", "UNKNOWN")] += 1
        causes[item.get("cause") or "inconnue"] += 1
        for obj in item.get("impacted_objects") or []:
            lines[(obj.get("pt_object") or {}).get("name", "?")] += 1
        period = _period_hours(item)
        if period is not None:
            durations.append(period[1])
            new_today += period[0].date() == read.day
    peak = max(per_hour.items(), key=lambda kv: (kv[1], -kv[0])) if per_hour else None
    return {
        "disruptions": len(seen),
        "new_today": new_today,
        "severe": effects.get("NO_SERVICE", 0),
        "by_effect": dict(sorted(effects.items())),
        "by_cause": dict(sorted(causes.items())),
        "top_lines": [
            {"line": k, "disruptions": v}
            for k, v in sorted(lines.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
        ],
        "duration_hours": {
            "median": num(median(durations), 1) if durations else None,
            "max": num(max(durations), 1) if durations else None,
        },
        "peak_hour": None if peak is None else {"hour": peak[0], "active": peak[1]},
        "active_by_hour": [{"hour": h, "active": n} for h, n in sorted(per_hour.items())],
    }
