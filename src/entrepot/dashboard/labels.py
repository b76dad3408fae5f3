"""The dashboard's words in English and French: the language of a request, page names,
summary labels, the city documents' messages and codes, and numbers and dates (CLDR, Babel).

The documents store keys, parameters and codes (ADR 0037); they are written here through
the catalogs, never read back from a sentence: text a document of the previous release
stored is shown as it is.

The dashboard speaks French unless the switch or the browser asks for English: Paris's
figures, named by Paris's open data, read first in French.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Request

from entrepot.city.messages import arc, arrondissement, ordinal, place, render, wmo_kind, word
from entrepot.i18n import LANGUAGES, Formats, Translator, negotiate
from entrepot.i18n.catalogs import N_

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
#: Plotly's separators (decimal, then thousands) as each language writes numbers.
SEPARATORS = {"fr": ",\u202f", "en": ".,"}


def language(request: Request) -> str:
    """The dashboard's language: the switch's choice (session, else cookie), else the
    browser's ``Accept-Language``, else French."""
    session = request.session if "session" in request.scope else {}
    chosen = session.get("lang") or request.cookies.get(COOKIE)
    return negotiate(chosen, request.headers.get("accept-language"), LANGUAGES, DEFAULT)


def zone_short(zone: Any, t: Translator) -> str:
    """An arrondissement as a chart or a map names it (``12e``, ``12th``); another place
    as :func:`~entrepot.city.messages.place` names it; an older document's word as it is."""
    number = arrondissement(str(zone))
    return render(place(zone), t) if number is None else ordinal(number, t)


def named(family: str, code: Any, written: Any, t: Translator) -> str:
    """The word of ``code`` in ``family`` (:data:`~entrepot.city.messages.WORDS`) in ``t``'s
    language; without a code (a document of the previous release), what it ``written``
    as it is."""
    if code is None:
        return render(written, t)
    return render(word(family, code), t)


def alert_row(alert: dict[str, Any], t: Translator) -> dict[str, str]:
    """A report's alert in ``t``'s language: its source, level (and the level's code for
    the row's class), subject and detail; an alert of the previous release as it stored
    them."""
    details = alert.get("detail_messages")
    return {
        "source": named("source", alert.get("source_code"), alert.get("source"), t),
        "class": str(alert.get("level_code") or alert.get("level") or ""),
        "level": named("level", alert.get("level_code"), alert.get("level"), t),
        "subject": render(alert.get("subject_message", alert.get("subject")), t),
        "detail": render(alert.get("detail"), t)
        if details is None
        else ", ".join(render(m, t) for m in details),
    }


def words(t: Translator) -> dict[str, Any]:
    """The page names, summary labels and source names in ``t``'s language, and the
    functions that write the documents' messages and codes in it (``say``, ``named``,
    ``place``, ``arc``, ``weather_kind``)."""
    return {
        "say": lambda message: render(message, t),
        "named": lambda family, code, written=None: named(family, code, written, t),
        "place": lambda zone: render(place(zone), t),
        "arc": lambda row: render(
            arc(row.get("label"), row.get("arc"), row.get("arrondissement")), t
        ),
        "alert": lambda alert: alert_row(alert, t),
        "weather_kind": lambda code: render(word("weather", wmo_kind(int(code))), t),
        "pages": [(slug, t(key)) for slug, key in PAGES],
        "summary_labels": {
            name: (t(label), t(unit) if unit else "") for name, (label, unit) in SUMMARY.items()
        },
        "source_labels": {name: t(key) for name, key in SOURCES.items()},
        "units": {name: t(unit) if unit else "" for name, (_, unit) in SUMMARY.items()},
        "tn": t.plural,
    }


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
