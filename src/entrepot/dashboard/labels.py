"""French labels and number and date formatting for the dashboard pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from entrepot.dashboard.texts import text

MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

#: Report summary keys -> French labels (and unit).
SUMMARY = {
    "traffic_vehicles": ("Véhicules comptés", "véh."),
    "traffic_arcs": ("Tronçons mesurés", ""),
    "congested_arcs": ("Tronçons congestionnés", ""),
    "lost_time_hours": ("Heures de congestion (tronçon·h)", "h"),
    "bike_counts": ("Passages de vélos comptés", ""),
    "bikes_available_mean": ("Vélos disponibles (moyenne)", ""),
    "empty_stations_max": ("Stations vides (max.)", ""),
    "disruptions": ("Perturbations transports", ""),
    "severe_disruptions": ("Interruptions de service", ""),
    "active_roadworks": ("Chantiers actifs", ""),
    "critical_zones": ("Arrondissements critiques", ""),
    "precipitation_mm": ("Précipitations", "mm"),
    "temperature_mean": ("Température moyenne", "°C"),
    "weather_impact": ("Impact météo", ""),
}
SOURCES = {
    "bikes": "Vélos",
    "disruptions": "Transports",
    "weather": "Météo",
    "traffic": "Trafic routier",
    "roadworks": "Travaux",
}
PAGES = (
    ("", "Vue d'ensemble"),
    ("velos", "Vélos"),
    ("trafic", "Trafic"),
    ("travaux", "Travaux"),
    ("meteo", "Météo"),
    ("rapport", "Rapport"),
    ("periode", text("nav.period")),
    ("carte", text("nav.map")),
)
#: The pages that show a period (``from``, ``to``) rather than one day (``date``).
PERIOD_PAGES = ("periode", "carte")


def long_date(day: date) -> str:
    """``mardi 4 novembre 2025``; ``samedi 1er novembre 2025``."""
    return f"{WEEKDAYS[day.weekday()]} {short_date(day)}"


def short_date(day: date) -> str:
    """``4 novembre 2025``; ``1er novembre 2025``."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]} {day.year}"


def number(value: Any, digits: int = 0) -> str:
    """A French number: ``12 345,6``; ``—`` when missing."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        value, digits = int(value), 0
    text = f"{value:,.{digits}f}" if isinstance(value, float) or digits else f"{value:,}"
    return text.replace(",", "\u202f").replace(".", ",")


def percent(value: Any) -> str:
    """A signed percentage: ``+4,2 %``; ``—`` when missing."""
    if value is None:
        return "—"
    return ("+" if value > 0 else "") + number(float(value), 1) + "\u00a0%"


def signed(value: Any, digits: int = 1) -> str:
    """A signed French number: ``+1 234``, ``-3,5``, ``0``; ``—`` when missing."""
    if value is None:
        return "—"
    shown = number(value, digits if isinstance(value, float) else 0)
    return ("+" if value > 0 else "") + shown
