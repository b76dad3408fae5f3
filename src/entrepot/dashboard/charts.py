"""Plotly figure specifications (plain dicts) built from stored metric documents.

Each function returns ``{"data": [...], "layout": {...}}`` in ``t``'s language, or None
when the metrics lack what it draws; the page passes it to ``Plotly.newPlot`` as JSON.
States, impacts and places are the documents' codes, named through the catalogs; a
document of the previous release (French words, no codes) shows its words as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from entrepot.city.messages import STATES, render, word
from entrepot.dashboard.axes import round_axis
from entrepot.dashboard.labels import SEPARATORS, zone_short
from entrepot.i18n import Translator
from entrepot.i18n.catalogs import N_

Figure = dict[str, Any]
Rows = Sequence[dict[str, Any]]
#: The colour of each traffic state (:data:`~entrepot.city.messages.STATES`, in their order).
STATE_COLORS = {
    "unknown": "#9e9e9e",
    "fluid": "#2e7d32",
    "dense": "#f9a825",
    "saturated": "#ef6c00",
    "blocked": "#c62828",
}
#: Layout of a figure with a second y axis on the right.
_RIGHT_MARGIN = {"l": 60, "r": 70, "t": 50, "b": 50}


def _category_x(t: Translator) -> dict[str, Any]:
    return {"title": {"text": t(N_("dash.chart.arrondissement"))}, "type": "category"}


def _layout(t: Translator, title: str, x: str | None = None, y: str = "", **extra: Any) -> Any:
    return {
        "title": {"text": title},
        "separators": SEPARATORS.get(t.lang, SEPARATORS["en"]),
        "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
        "xaxis": {"title": {"text": t(N_("dash.chart.hour")) if x is None else x}},
        "yaxis": {"title": {"text": y}},
        "legend": {"orientation": "h", "y": -0.25},
        "height": 340,
        **extra,
    }


def _bar(name: str, x: list[Any], rows: Rows, field: str, **extra: Any) -> dict[str, Any]:
    return {"type": "bar", "name": name, "x": x, "y": [r[field] for r in rows], **extra}


def _line(
    name: str, x: list[Any], rows: Rows, field: str, mode: str = "lines+markers", **extra: Any
) -> dict[str, Any]:
    trace = {"type": "scatter", "mode": mode, "name": name, "x": x}
    return {**trace, "y": [r[field] for r in rows], **extra}


def _right_axis(title: str, values: Sequence[Any]) -> dict[str, Any]:
    """A right-hand axis for ``values`` with round ticks (``entrepot.dashboard.axes``)."""
    axis = {"title": {"text": title}, "overlaying": "y", "side": "right"}
    return {
        "yaxis2": axis | round_axis(values),
        "margin": _RIGHT_MARGIN,
    }


def _pie(labels: list[Any], values: list[Any], **extra: Any) -> dict[str, Any]:
    return {"type": "pie", "labels": labels, "values": values, **extra, "hole": 0.4}


def bikes_hourly(metrics: dict[str, Any], t: Translator) -> Figure | None:
    """Bikes and docks available per hour (Vélib')."""
    stations = metrics.get("stations")
    if not stations:
        return None
    rows = stations["hourly"]
    hours = [h["hour"] for h in rows]
    return {
        "data": [
            _line(t(N_("dash.chart.bikes_available")), hours, rows, "bikes"),
            _line(t(N_("dash.chart.docks_free")), hours, rows, "docks"),
        ],
        "layout": _layout(t, t(N_("dash.chart.bikes_hourly")), y=t(N_("dash.chart.count"))),
    }


def bikes_empty_full(metrics: dict[str, Any], t: Translator) -> Figure | None:
    """Empty and full stations per hour."""
    stations = metrics.get("stations")
    if not stations:
        return None
    rows = stations["hourly"]
    hours = [h["hour"] for h in rows]
    return {
        "data": [
            _bar(t(N_("dash.chart.stations_empty")), hours, rows, "empty"),
            _bar(t(N_("dash.chart.stations_full")), hours, rows, "full"),
        ],
        "layout": _layout(
            t,
            t(N_("dash.chart.stations_empty_full")),
            y=t(N_("dash.chart.stations")),
            barmode="group",
        ),
    }


def counters_hourly(metrics: dict[str, Any], t: Translator) -> Figure | None:
    """Bike-counter passages per hour."""
    counters = metrics.get("counters")
    if not counters:
        return None
    rows = counters["hourly"]
    hours = [h["hour"] for h in rows]
    passages = t(N_("dash.chart.passages"))
    return {
        "data": [_bar(passages, hours, rows, "count", marker={"color": "#00897b"})],
        "layout": _layout(t, t(N_("dash.chart.counters_hourly")), y=passages),
    }


def traffic_hourly(metrics: dict[str, Any], t: Translator) -> Figure | None:
    """Vehicles counted and mean occupancy per hour."""
    rows = metrics.get("hourly")
    if not rows:
        return None
    hours = [h["hour"] for h in rows]
    counted = t(N_("dash.chart.vehicles_counted"))
    occupancy = t(N_("dash.chart.occupancy_mean"))
    return {
        "data": [
            _bar(counted, hours, rows, "total_flow", marker={"color": "#1565c0"}),
            _line(occupancy, hours, rows, "mean_occupancy", "lines", yaxis="y2")
            | {"line": {"color": "#ef6c00"}},
        ],
        "layout": _layout(
            t,
            t(N_("dash.chart.traffic_hourly")),
            y=t(N_("dash.chart.vehicles")),
            **_right_axis(t(N_("dash.chart.occupancy")), [r["mean_occupancy"] for r in rows]),
        ),
    }


def _states(metrics: dict[str, Any], t: Translator) -> list[tuple[str, int, str]]:
    """(name, arc-hours, colour) of each state with hours: by code, or as an older
    document wrote them (its French names in the same order, shown as they are)."""
    coded = metrics.get("state_hours_code")
    if coded:
        return [
            (render(word("state", code), t), coded[code], STATE_COLORS[code])
            for code in STATES
            if coded.get(code)
        ]
    written = metrics.get("state_hours") or {}
    return [
        (str(name), hours, colour)
        for (name, hours), colour in zip(written.items(), STATE_COLORS.values(), strict=False)
        if hours
    ]


def traffic_states(metrics: dict[str, Any], t: Translator) -> Figure | None:
    """Share of arc-hours in each traffic state."""
    states = _states(metrics, t)
    if not states:
        return None
    labels, values, colours = (list(column) for column in zip(*states, strict=True))
    return {
        "data": [_pie(labels, values, marker={"colors": colours}, sort=False)],
        "layout": _layout(t, t(N_("dash.chart.traffic_states")), x="", height=340),
    }


def traffic_zones(metrics: dict[str, Any], t: Translator) -> Figure | None:
    """Vehicles counted per arrondissement."""
    zones = metrics.get("by_arrondissement")
    if not zones:
        return None
    names = [zone_short(z["arrondissement"], t) for z in zones]
    vehicles = t(N_("dash.chart.vehicles"))
    return {
        "data": [_bar(vehicles, names, zones, "total_flow", marker={"color": "#5e35b1"})],
        "layout": _layout(
            t,
            t(N_("dash.chart.traffic_zones")),
            x=t(N_("dash.chart.arrondissement")),
            y=vehicles,
            xaxis=_category_x(t),
        ),
    }


def roadworks_zones(metrics: dict[str, Any], t: Translator) -> Figure | None:
    """Active works and impact score per arrondissement."""
    zones = metrics.get("by_arrondissement")
    if not zones:
        return None
    names = [zone_short(z["arrondissement"], t) for z in zones]
    return {
        "data": [
            _bar(t(N_("dash.chart.works_active")), names, zones, "active_works"),
            _bar(t(N_("dash.chart.impact_score")), names, zones, "score"),
        ],
        "layout": _layout(
            t, t(N_("dash.chart.works_zones")), barmode="group", xaxis=_category_x(t)
        ),
    }


def roadworks_impacts(metrics: dict[str, Any], t: Translator) -> Figure | None:
    """Active works by kind of traffic impact (the export's codes, named; an older
    document's own words as they are)."""
    coded = metrics.get("by_impact_code")
    impacts = metrics.get("by_impact") if coded is None else coded
    if not impacts:
        return None
    names = [render(word("works_impact", k), t) if coded else str(k) for k in impacts]
    return {
        "data": [_pie(names, list(impacts.values()))],
        "layout": _layout(t, t(N_("dash.chart.works_impacts")), x=""),
    }


def weather_hourly(metrics: dict[str, Any], t: Translator) -> Figure | None:
    """Temperature and precipitation per hour."""
    rows = metrics.get("hourly")
    if not rows:
        return None
    hours = [h["hour"] for h in rows]
    temperature, rain = t(N_("dash.chart.temperature")), t(N_("dash.chart.precipitation"))
    return {
        "data": [
            _line(temperature, hours, rows, "temperature", line={"color": "#c62828"}),
            _bar(rain, hours, rows, "precipitation", yaxis="y2") | {"marker": {"color": "#1e88e5"}},
        ],
        "layout": _layout(
            t,
            t(N_("dash.chart.weather_hourly")),
            y=f"{temperature} (°C)",
            **_right_axis(f"{rain} (mm)", [r["precipitation"] for r in rows]),
        ),
    }
