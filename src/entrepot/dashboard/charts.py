"""Plotly figure specifications (plain dicts) built from stored metric documents.

Each function returns ``{"data": [...], "layout": {...}}``, or None when the metrics
lack what it draws; the page passes it to ``Plotly.newPlot`` as JSON. Labels are
French; decimals use a comma.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Figure = dict[str, Any]
Rows = Sequence[dict[str, Any]]
STATE_COLORS = {
    "Inconnu": "#9e9e9e",
    "Fluide": "#2e7d32",
    "Pré-saturé": "#f9a825",
    "Saturé": "#ef6c00",
    "Bloqué": "#c62828",
}
#: Layout of a figure with a second y axis on the right.
_RIGHT_MARGIN = {"l": 60, "r": 70, "t": 50, "b": 50}
_CATEGORY_X = {"title": {"text": "Arrondissement"}, "type": "category"}


def _layout(title: str, x: str = "Heure", y: str = "", **extra: Any) -> dict[str, Any]:
    return {
        "title": {"text": title},
        "separators": ", ",
        "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
        "xaxis": {"title": {"text": x}},
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


def _right_axis(title: str) -> dict[str, Any]:
    return {
        "yaxis2": {"title": {"text": title}, "overlaying": "y", "side": "right"},
        "margin": _RIGHT_MARGIN,
    }


def _pie(labels: list[Any], values: list[Any], **extra: Any) -> dict[str, Any]:
    return {"type": "pie", "labels": labels, "values": values, **extra, "hole": 0.4}


def bikes_hourly(metrics: dict[str, Any]) -> Figure | None:
    """Bikes and docks available per hour (Vélib')."""
    stations = metrics.get("stations")
    if not stations:
        return None
    rows = stations["hourly"]
    hours = [h["hour"] for h in rows]
    return {
        "data": [
            _line("Vélos disponibles", hours, rows, "bikes"),
            _line("Bornes libres", hours, rows, "docks"),
        ],
        "layout": _layout("Disponibilité Vélib' par heure", y="Nombre"),
    }


def bikes_empty_full(metrics: dict[str, Any]) -> Figure | None:
    """Empty and full stations per hour."""
    stations = metrics.get("stations")
    if not stations:
        return None
    rows = stations["hourly"]
    hours = [h["hour"] for h in rows]
    return {
        "data": [
            _bar("Stations vides", hours, rows, "empty"),
            _bar("Stations pleines", hours, rows, "full"),
        ],
        "layout": _layout("Stations vides et pleines", y="Stations", barmode="group"),
    }


def counters_hourly(metrics: dict[str, Any]) -> Figure | None:
    """Bike-counter passages per hour."""
    counters = metrics.get("counters")
    if not counters:
        return None
    rows = counters["hourly"]
    hours = [h["hour"] for h in rows]
    return {
        "data": [_bar("Passages", hours, rows, "count", marker={"color": "#00897b"})],
        "layout": _layout("Compteurs vélo : passages par heure", y="Passages"),
    }


def traffic_hourly(metrics: dict[str, Any]) -> Figure | None:
    """Vehicles counted and mean occupancy per hour."""
    rows = metrics.get("hourly")
    if not rows:
        return None
    hours = [h["hour"] for h in rows]
    occupancy = "Taux d'occupation moyen (%)"
    return {
        "data": [
            _bar("Véhicules comptés", hours, rows, "total_flow", marker={"color": "#1565c0"}),
            _line(occupancy, hours, rows, "mean_occupancy", "lines", yaxis="y2")
            | {"line": {"color": "#ef6c00"}},
        ],
        "layout": _layout(
            "Trafic routier par heure", y="Véhicules", **_right_axis("Occupation (%)")
        ),
    }


def traffic_states(metrics: dict[str, Any]) -> Figure | None:
    """Share of arc-hours in each traffic state."""
    states = metrics.get("state_hours")
    if not states:
        return None
    labels = [s for s in STATE_COLORS if states.get(s)]
    colors = {"colors": [STATE_COLORS[s] for s in labels]}
    return {
        "data": [_pie(labels, [states[s] for s in labels], marker=colors, sort=False)],
        "layout": _layout("États du trafic (tronçon·heures)", x="", height=340),
    }


def traffic_zones(metrics: dict[str, Any]) -> Figure | None:
    """Vehicles counted per arrondissement."""
    zones = metrics.get("by_arrondissement")
    if not zones:
        return None
    names = [z["arrondissement"] for z in zones]
    return {
        "data": [_bar("Véhicules", names, zones, "total_flow", marker={"color": "#5e35b1"})],
        "layout": _layout(
            "Véhicules par arrondissement",
            x="Arrondissement",
            y="Véhicules",
            xaxis=_CATEGORY_X,
        ),
    }


def roadworks_zones(metrics: dict[str, Any]) -> Figure | None:
    """Active works and impact score per arrondissement."""
    zones = metrics.get("by_arrondissement")
    if not zones:
        return None
    names = [z["arrondissement"] for z in zones]
    return {
        "data": [
            _bar("Chantiers actifs", names, zones, "active_works"),
            _bar("Score d'impact", names, zones, "score"),
        ],
        "layout": _layout("Chantiers par arrondissement", barmode="group", xaxis=_CATEGORY_X),
    }


def roadworks_impacts(metrics: dict[str, Any]) -> Figure | None:
    """Active works by kind of traffic impact."""
    impacts = metrics.get("by_impact")
    if not impacts:
        return None
    return {
        "data": [_pie(list(impacts), list(impacts.values()))],
        "layout": _layout("Impact sur la circulation", x=""),
    }


def weather_hourly(metrics: dict[str, Any]) -> Figure | None:
    """Temperature and precipitation per hour."""
    rows = metrics.get("hourly")
    if not rows:
        return None
    hours = [h["hour"] for h in rows]
    return {
        "data": [
            _line("Température (°C)", hours, rows, "temperature", line={"color": "#c62828"}),
            _bar("Précipitations (mm)", hours, rows, "precipitation", yaxis="y2")
            | {"marker": {"color": "#1e88e5"}},
        ],
        "layout": _layout("Météo par heure", y="°C", **_right_axis("mm")),
    }
