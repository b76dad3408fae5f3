"""The dashboard's words in English and French: the language of a request, page names,
summary labels, the charts' titles and legends, and numbers and dates (CLDR, Babel).

The dashboard speaks French unless the switch or the browser asks for English: Paris's
figures, named by Paris's open data, read first in French.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fastapi import Request

from entrepot.i18n import LANGUAGES, Formats, Translator, negotiate, translator
from entrepot.i18n.catalogs import N_, Np_

DEFAULT = "fr"
#: The cookie that keeps the switch's choice where the app keeps no session.
COOKIE = "entrepot_lang"
MISSING = "—"

#: Report summary keys -> label and unit keys.
SUMMARY = {
    "traffic_vehicles": (N_("dash.summary.traffic_vehicles"), N_("dash.unit.vehicles")),
    "traffic_arcs": (N_("dash.summary.traffic_arcs"), None),
    "congested_arcs": (N_("dash.summary.congested_arcs"), None),
    "lost_time_hours": (N_("dash.summary.lost_time_hours"), N_("dash.unit.hours")),
    "bike_counts": (N_("dash.summary.bike_counts"), None),
    "bikes_available_mean": (N_("dash.summary.bikes_available_mean"), None),
    "empty_stations_max": (N_("dash.summary.empty_stations_max"), None),
    "disruptions": (N_("dash.summary.disruptions"), None),
    "severe_disruptions": (N_("dash.summary.severe_disruptions"), None),
    "active_roadworks": (N_("dash.summary.active_roadworks"), None),
    "critical_zones": (N_("dash.summary.critical_zones"), None),
    "precipitation_mm": (N_("dash.summary.precipitation_mm"), N_("dash.unit.mm")),
    "temperature_mean": (N_("dash.summary.temperature_mean"), N_("dash.unit.celsius")),
    "weather_impact": (N_("dash.summary.weather_impact"), None),
}
SOURCES = {
    "bikes": N_("dash.source.bikes"),
    "disruptions": N_("dash.source.disruptions"),
    "weather": N_("dash.source.weather"),
    "traffic": N_("dash.source.traffic"),
    "roadworks": N_("dash.source.roadworks"),
}
PAGES = (
    ("", N_("dash.page.overview")),
    ("velos", N_("dash.page.bikes")),
    ("trafic", N_("dash.page.traffic")),
    ("travaux", N_("dash.page.roadworks")),
    ("meteo", N_("dash.page.weather")),
    ("rapport", N_("dash.page.report")),
    ("periode", N_("dash.page.period")),
    ("carte", N_("dash.page.map")),
)
#: The pages that show a period (``from``, ``to``) rather than one day (``date``).
PERIOD_PAGES = ("periode", "carte")
#: The French words of the charts (dashboard/charts.py) and of the metrics (traffic states,
#: alert and impact levels, as the city pipeline writes them) -> keys.
WORDS = {
    "Heure": N_("dash.chart.hour"),
    "Nombre": N_("dash.chart.count"),
    "Vélos disponibles": N_("dash.chart.bikes_available"),
    "Bornes libres": N_("dash.chart.docks_free"),
    "Disponibilité Vélib' par heure": N_("dash.chart.bikes_hourly"),
    "Stations vides": N_("dash.chart.stations_empty"),
    "Stations pleines": N_("dash.chart.stations_full"),
    "Stations vides et pleines": N_("dash.chart.stations_empty_full"),
    "Stations": N_("dash.chart.stations"),
    "Passages": N_("dash.chart.passages"),
    "Compteurs vélo : passages par heure": N_("dash.chart.counters_hourly"),
    "Véhicules comptés": N_("dash.chart.vehicles_counted"),
    "Taux d'occupation moyen (%)": N_("dash.chart.occupancy_mean"),
    "Trafic routier par heure": N_("dash.chart.traffic_hourly"),
    "Véhicules": N_("dash.chart.vehicles"),
    "Occupation (%)": N_("dash.chart.occupancy"),
    "États du trafic (tronçon·heures)": N_("dash.chart.traffic_states"),
    "Véhicules par arrondissement": N_("dash.chart.traffic_zones"),
    "Arrondissement": N_("dash.chart.arrondissement"),
    "Chantiers actifs": N_("dash.chart.works_active"),
    "Score d'impact": N_("dash.chart.impact_score"),
    "Chantiers par arrondissement": N_("dash.chart.works_zones"),
    "Impact sur la circulation": N_("dash.chart.works_impacts"),
    "Température (°C)": N_("dash.chart.temperature"),
    "Précipitations (mm)": N_("dash.chart.precipitation"),
    "Météo par heure": N_("dash.chart.weather_hourly"),
    "Inconnu": N_("dash.state.unknown"),
    "Fluide": N_("dash.state.fluid"),
    "Pré-saturé": N_("dash.state.dense"),
    "Saturé": N_("dash.state.saturated"),
    "Bloqué": N_("dash.state.blocked"),
    "alerte": N_("dash.alert.alerte"),
    "critique": N_("dash.alert.critique"),
    "faible": N_("dash.impact.low"),
    "modéré": N_("dash.impact.moderate"),
    "fort": N_("dash.impact.high"),
    "météo": N_("dash.alert_source.weather"),
    "trafic": N_("dash.alert_source.traffic"),
    "transports": N_("dash.alert_source.transit"),
    "travaux": N_("dash.alert_source.roadworks"),
    "vélos": N_("dash.alert_source.bikes"),
    "ciel clair": N_("dash.weather.clear"),
    "nuageux": N_("dash.weather.cloudy"),
    "brouillard": N_("dash.weather.fog"),
    "bruine": N_("dash.weather.drizzle"),
    "pluie": N_("dash.weather.rain"),
    "neige": N_("dash.weather.snow"),
    "averses": N_("dash.weather.showers"),
    "averses de neige": N_("dash.weather.snow_showers"),
    "orage": N_("dash.weather.storm"),
}
#: The weather's reasons (city/processors/weather.py writes them in French) -> keys.
REASONS = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"pluie (?P<hours>\d+) h \((?P<mm>[\d.]+) mm\)", N_("dash.reason.rain")),
        (r"rafales (?P<gust>[\d.]+) km/h", N_("dash.reason.gusts")),
        (r"gel \((?P<celsius>-?[\d.]+) °C\)", N_("dash.reason.frost")),
        (r"chaleur \((?P<celsius>-?[\d.]+) °C\)", N_("dash.reason.heat")),
    )
)
#: The report's alerts (city/report.py writes their subject and detail in French, with
#: "(s)" for plurals) -> keys; a count field takes the plural forms of its own key.
ALERTS = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"station (?P<name>.+)", N_("dash.alert.station")),
        (r"arrondissement (?P<zone>.+)", N_("dash.alert.arrondissement")),
        (r"interruptions de service", N_("dash.alert.interruptions")),
        (r"impact (?P<level>\S+) sur la mobilité", N_("dash.alert.weather")),
        (
            r"(?P<congested>\d+) h saturé ou bloqué \(dont (?P<blocked>\d+) h bloqué\)",
            N_("dash.alert.congestion"),
        ),
        (r"vide pendant (?P<hours>\d+) h", N_("dash.alert.empty_for")),
        (
            r"(?P<works>\d+) chantier\(s\), score (?P<score>[\d.]+), "
            r"(?P<closures>\d+) barrage\(s\) total\(aux\)",
            N_("dash.alert.works"),
        ),
        (r"(?P<severe>\d+) perturbation\(s\) sans service", N_("dash.alert.no_service")),
    )
)
#: Counts in the alerts -> the key of their plural forms.
ALERT_COUNTS = {
    "works": Np_("dash.alert.works_count"),
    "closures": Np_("dash.alert.closures_count"),
    "severe": Np_("dash.alert.severe_count"),
}
#: Plotly's separators (decimal, then thousands) as each language writes numbers.
SEPARATORS = {"fr": ",\u202f", "en": ".,"}


def language(request: Request) -> str:
    """The dashboard's language: the switch's choice (session, else cookie), else the
    browser's ``Accept-Language``, else French."""
    session = request.session if "session" in request.scope else {}
    chosen = session.get("lang") or request.cookies.get(COOKIE)
    return negotiate(chosen, request.headers.get("accept-language"), LANGUAGES, DEFAULT)


def word(text: Any, t: Translator) -> Any:
    """A French word of the charts or the metrics in ``t``'s language (others as they are)."""
    return t(WORDS[text]) if isinstance(text, str) and text in WORDS else text


def reason(text: str, t: Translator) -> str:
    """A weather reason (``pluie 3 h (2.1 mm)``) in ``t``'s language."""
    for pattern, key in REASONS:
        found = pattern.fullmatch(text)
        if found:
            values = {
                name: number(float(value), len(value.partition(".")[2]), t.lang)
                for name, value in found.groupdict().items()
            }
            return t(key, **values)
    return text


def alert_text(text: str, t: Translator) -> str:
    """An alert's subject or detail in ``t``'s language (a street name as it is); a list
    of weather reasons, each translated."""
    for pattern, key in ALERTS:
        found = pattern.fullmatch(text)
        if found:
            values: dict[str, object] = {}
            for name, value in found.groupdict().items():
                if name in ALERT_COUNTS:
                    values[name] = t.plural(ALERT_COUNTS[name], int(value))
                elif name == "level":
                    values[name] = word(value, t)
                elif re.fullmatch(r"[\d.]+", value):
                    values[name] = number(float(value), len(value.partition(".")[2]), t.lang)
                else:
                    values[name] = value
            return t(key, **values)
    if any(pattern.fullmatch(part) for part in text.split(", ") for pattern, _ in REASONS):
        return ", ".join(reason(part, t) for part in text.split(", "))
    return text


def words(t: Translator) -> dict[str, Any]:
    """The page names, summary labels and source names in ``t``'s language, and ``word``."""
    return {
        "word": lambda text: word(text, t),
        "reason": lambda text: reason(text, t),
        "alert_text": lambda text: alert_text(str(text), t),
        "pages": [(slug, t(key)) for slug, key in PAGES],
        "summary_labels": {
            name: (t(label), t(unit) if unit else "") for name, (label, unit) in SUMMARY.items()
        },
        "source_labels": {name: t(key) for name, key in SOURCES.items()},
        "units": {name: t(unit) if unit else "" for name, (_, unit) in SUMMARY.items()},
        "tn": t.plural,
    }


def figure_in(figure: dict[str, Any], t: Translator) -> dict[str, Any]:
    """``figure`` (written in French) with its titles, legends and slices in ``t``'s
    language, and Plotly's separators to match."""

    def say(text: Any) -> Any:
        return word(text, t)

    def titled(part: Any) -> Any:
        if isinstance(part, dict) and isinstance(part.get("title"), dict):
            return {**part, "title": {**part["title"], "text": say(part["title"].get("text"))}}
        return part

    layout = {key: titled(value) for key, value in figure.get("layout", {}).items()}
    layout["title"] = titled({"title": layout.get("title", {})})["title"]
    layout["separators"] = SEPARATORS.get(t.lang, SEPARATORS["en"])
    data = []
    for trace in figure.get("data", []):
        trace = {**trace, "name": say(trace.get("name"))} if "name" in trace else dict(trace)
        if trace.get("type") == "pie":
            trace["labels"] = [say(label) for label in trace.get("labels", [])]
        data.append(trace)
    return {**figure, "data": data, "layout": layout}


def long_date(day: date, lang: str = DEFAULT) -> str:
    """``mardi 4 novembre 2025``, ``Tuesday, November 4, 2025`` (CLDR's full date)."""
    return Formats(lang).day(day)


def short_date(day: date, lang: str = DEFAULT) -> str:
    """``1er novembre 2025``, ``November 1, 2025`` (CLDR's long date)."""
    return Formats(lang).day(day, "long")


def number(value: Any, digits: int = 0, lang: str = DEFAULT) -> str:
    """``12 345,6`` (fr), ``12,345.6`` (en); a whole float without decimals; ``—`` when
    missing; text as it is."""
    if value is None:
        return MISSING
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        digits = 0
    return Formats(lang).number(value, digits)


def percent(value: Any, lang: str = DEFAULT) -> str:
    """A signed change in percent: ``+4,2 %`` (fr), ``+4.2%`` (en); ``—`` when missing."""
    if value is None:
        return MISSING
    sign = "+" if value > 0 else ""
    return sign + Formats(lang).percent(float(value) / 100, 1)


def signed(value: Any, digits: int = 1, lang: str = DEFAULT) -> str:
    """A signed number: ``+1 234``, ``-3,5`` (fr), ``-3.5`` (en), ``0``; ``—`` when missing."""
    if value is None:
        return MISSING
    shown = number(value, digits if isinstance(value, float) else 0, lang)
    return ("+" if value > 0 else "") + shown


def translators() -> dict[str, Translator]:
    """The translator of each language."""
    return {lang: translator(lang) for lang in LANGUAGES}
