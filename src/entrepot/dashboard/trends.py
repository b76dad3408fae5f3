"""Plotly figures of a period day by day (plain dicts, like :mod:`entrepot.dashboard.charts`):
one point per day, a gap on a day without data."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from entrepot.dashboard.axes import round_axis
from entrepot.dashboard.labels import SEPARATORS
from entrepot.dashboard.periods import KPI_LABELS, Period, Summary, series
from entrepot.i18n import Translator
from entrepot.i18n.catalogs import N_

Figure = dict[str, Any]
#: The days' ticks and hover dates as each language writes them (d3 formats).
TICKS = {"fr": ("%-d %b", "%-d %B %Y"), "en": ("%b %-d", "%B %-d, %Y")}
_DAY_MS = 86_400_000  # one tick a day on a short period (Plotly would add half days)
#: Figure -> (title, [(key, trace type, colour, on the right axis)], left and right axes).
TRENDS: dict[str, tuple[str, tuple[tuple[str, str, str, bool], ...], str, str | None]] = {
    "traffic": (
        N_("dash.trend.traffic"),
        (
            ("traffic_vehicles", "bar", "#1565c0", False),
            ("lost_time_hours", "line", "#ef6c00", True),
        ),
        N_("dash.trend.vehicles_axis"),
        N_("dash.trend.hours_axis"),
    ),
    "bikes": (
        N_("dash.trend.bikes"),
        (
            ("bike_counts", "bar", "#00897b", False),
            ("bikes_available_mean", "line", "#5e35b1", True),
        ),
        N_("dash.trend.count_axis"),
        N_("dash.trend.count_axis"),
    ),
    "works": (
        N_("dash.trend.works"),
        (
            ("active_roadworks", "line", "#6a1b9a", False),
            ("disruptions", "line", "#c62828", False),
        ),
        N_("dash.trend.count_axis"),
        None,
    ),
    "weather": (
        N_("dash.trend.weather"),
        (
            ("temperature_mean", "line", "#c62828", False),
            ("precipitation_mm", "bar", "#1e88e5", True),
        ),
        "°C",
        "mm",
    ),
}


def _label(key: str, t: Translator) -> str:
    return key if key in ("°C", "mm") else t(key)


def trend(name: str, days: Mapping[date, Summary], period: Period, t: Translator) -> Figure | None:
    """Figure ``name`` of :data:`TRENDS` over ``period`` in ``t``'s language; ``None``
    when it has no value."""
    title, lines, left, right = TRENDS[name]
    x = [d.isoformat() for d in period.dates()]
    data = []
    for key, kind, colour, on_right in lines:
        y = series(days, period, key)
        if all(v is None for v in y):
            continue
        trace: dict[str, Any] = {"x": x, "y": y, "name": t(KPI_LABELS[key])}
        if kind == "bar":
            trace |= {"type": "bar", "marker": {"color": colour}}
        else:
            trace |= {"type": "scatter", "mode": "lines+markers", "line": {"color": colour}}
        if on_right:
            trace["yaxis"] = "y2"
        data.append(trace)
    if not data:
        return None
    layout: dict[str, Any] = {
        "title": {"text": t(title)},
        "separators": SEPARATORS.get(t.lang, SEPARATORS["en"]),
        "margin": {"l": 60, "r": 70 if right else 20, "t": 50, "b": 50},
        "xaxis": {
            "type": "date",
            "title": {"text": t(N_("dash.period.day"))},
            "tickformat": TICKS.get(t.lang, TICKS["en"])[0],
            "hoverformat": TICKS.get(t.lang, TICKS["en"])[1],
            **({"dtick": _DAY_MS} if period.days <= 14 else {}),
        },
        "yaxis": {"title": {"text": _label(left, t)}, "rangemode": "tozero"},
        "legend": {"orientation": "h", "y": -0.3},
        "height": 340,
    }
    if right:
        layout["yaxis2"] = {
            "title": {"text": _label(right, t)},
            "overlaying": "y",
            "side": "right",
        } | round_axis(v for trace in data if trace.get("yaxis") == "y2" for v in trace["y"])
    return {"data": data, "layout": layout}


def trends(days: Mapping[date, Summary], period: Period, t: Translator) -> list[Figure]:
    """Every figure of :data:`TRENDS` that has a value over ``period``, in ``t``'s language."""
    drawn = [trend(name, days, period, t) for name in TRENDS]
    return [f for f in drawn if f is not None]
