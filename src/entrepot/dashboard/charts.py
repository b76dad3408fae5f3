"""Plotly figure specifications (plain dicts) built from stored metric documents.

Each function returns ``{"data": [...], "layout": {...}}``, or None when the metrics
lack what it draws; the page passes it to ``Plotly.newPlot`` as JSON. Labels are
French; decimals use a comma.
"""

from __future__ import annotations

from typing import Any

Figure = dict[str, Any]
STATE_COLORS = {
    "Inconnu": "#9e9e9e",
    "Fluide": "#2e7d32",
    "Pré-saturé": "#f9a825",
    "Saturé": "#ef6c00",
    "Bloqué": "#c62828",
}


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


def bikes_hourly(metrics: dict[str, Any]) -> Figure | None:
    """Bikes and docks available per hour (Vélib')."""
    stations = metrics.get("stations")
    if not stations:
        return None
    hours = [h["hour"] for h in stations["hourly"]]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "Vélos disponibles",
                "x": hours,
                "y": [h["bikes"] for h in stations["hourly"]],
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "Bornes libres",
                "x": hours,
                "y": [h["docks"] for h in stations["hourly"]],
            },
        ],
        "layout": _layout("Disponibilité Vélib' par heure", y="Nombre"),
    }


def bikes_empty_full(metrics: dict[str, Any]) -> Figure | None:
    """Empty and full stations per hour."""
    stations = metrics.get("stations")
    if not stations:
        return None
    hours = [h["hour"] for h in stations["hourly"]]
    return {
        "data": [
            {
                "type": "bar",
                "name": "Stations vides",
                "x": hours,
                "y": [h["empty"] for h in stations["hourly"]],
            },
            {
                "type": "bar",
                "name": "Stations pleines",
                "x": hours,
                "y": [h["full"] for h in stations["hourly"]],
            },
        ],
        "layout": _layout("Stations vides et pleines", y="Stations", barmode="group"),
    }


def counters_hourly(metrics: dict[str, Any]) -> Figure | None:
    """Bike-counter passages per hour."""
    counters = metrics.get("counters")
    if not counters:
        return None
    return {
        "data": [
            {
                "type": "bar",
                "name": "Passages",
                "x": [h["hour"] for h in counters["hourly"]],
                "y": [h["count"] for h in counters["hourly"]],
                "marker": {"color": "#00897b"},
            }
        ],
        "layout": _layout("Compteurs vélo : passages par heure", y="Passages"),
    }


def traffic_hourly(metrics: dict[str, Any]) -> Figure | None:
    """Vehicles counted and mean occupancy per hour."""
    hourly = metrics.get("hourly")
    if not hourly:
        return None
    hours = [h["hour"] for h in hourly]
    return {
        "data": [
            {
                "type": "bar",
                "name": "Véhicules comptés",
                "x": hours,
                "y": [h["total_flow"] for h in hourly],
                "marker": {"color": "#1565c0"},
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": "Taux d'occupation moyen (%)",
                "x": hours,
                "y": [h["mean_occupancy"] for h in hourly],
                "yaxis": "y2",
                "line": {"color": "#ef6c00"},
            },
        ],
        "layout": _layout(
            "Trafic routier par heure",
            y="Véhicules",
            yaxis2={"title": {"text": "Occupation (%)"}, "overlaying": "y", "side": "right"},
            margin={"l": 60, "r": 70, "t": 50, "b": 50},
        ),
    }


def traffic_states(metrics: dict[str, Any]) -> Figure | None:
    """Share of arc-hours in each traffic state."""
    states = metrics.get("state_hours")
    if not states:
        return None
    labels = [s for s in STATE_COLORS if states.get(s)]
    return {
        "data": [
            {
                "type": "pie",
                "labels": labels,
                "values": [states[s] for s in labels],
                "marker": {"colors": [STATE_COLORS[s] for s in labels]},
                "hole": 0.4,
                "sort": False,
            }
        ],
        "layout": _layout("États du trafic (tronçon·heures)", x="", height=340),
    }


def traffic_zones(metrics: dict[str, Any]) -> Figure | None:
    """Vehicles counted per arrondissement."""
    zones = metrics.get("by_arrondissement")
    if not zones:
        return None
    return {
        "data": [
            {
                "type": "bar",
                "name": "Véhicules",
                "x": [z["arrondissement"] for z in zones],
                "y": [z["total_flow"] for z in zones],
                "marker": {"color": "#5e35b1"},
            }
        ],
        "layout": _layout(
            "Véhicules par arrondissement",
            x="Arrondissement",
            y="Véhicules",
            xaxis={"title": {"text": "Arrondissement"}, "type": "category"},
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
            {
                "type": "bar",
                "name": "Chantiers actifs",
                "x": names,
                "y": [z["active_works"] for z in zones],
            },
            {
                "type": "bar",
                "name": "Score d'impact",
                "x": names,
                "y": [z["score"] for z in zones],
            },
        ],
        "layout": _layout(
            "Chantiers par arrondissement",
            barmode="group",
            xaxis={"title": {"text": "Arrondissement"}, "type": "category"},
        ),
    }


def roadworks_impacts(metrics: dict[str, Any]) -> Figure | None:
    """Active works by kind of traffic impact."""
    impacts = metrics.get("by_impact")
    if not impacts:
        return None
    return {
        "data": [
            {
                "type": "pie",
                "labels": list(impacts),
                "values": list(impacts.values()),
                "hole": 0.4,
            }
        ],
        "layout": _layout("Impact sur la circulation", x=""),
    }


def weather_hourly(metrics: dict[str, Any]) -> Figure | None:
    """Temperature and precipitation per hour."""
    hourly = metrics.get("hourly")
    if not hourly:
        return None
    hours = [h["hour"] for h in hourly]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "Température (°C)",
                "x": hours,
                "y": [h["temperature"] for h in hourly],
                "line": {"color": "#c62828"},
            },
            {
                "type": "bar",
                "name": "Précipitations (mm)",
                "x": hours,
                "y": [h["precipitation"] for h in hourly],
                "yaxis": "y2",
                "marker": {"color": "#1e88e5"},
            },
        ],
        "layout": _layout(
            "Météo par heure",
            y="°C",
            yaxis2={"title": {"text": "mm"}, "overlaying": "y", "side": "right"},
            margin={"l": 60, "r": 70, "t": 50, "b": 50},
        ),
    }
