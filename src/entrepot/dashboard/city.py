"""The city dashboard: overview, bikes, traffic, roadworks, weather and report pages.

``GET /dashboard/city[/velos|/trafic|/travaux|/meteo|/rapport]?date=YYYY-MM-DD``;
without a date, the last day with metrics. The period pages (``/periode``, ``/carte``)
are :mod:`entrepot.dashboard.period_pages`, mounted here. The pages read the metrics store through
the same :class:`~entrepot.city_service.service.CityService` as ``/city/...``; charts are
Plotly figures drawn by Plotly.js, served from the ``plotly`` package by
:mod:`entrepot.http.assets` (compressed, named by content) like the page script.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from entrepot.city.kinds import METRIC_TYPES, REPORT
from entrepot.city.report import summarize
from entrepot.dashboard import charts, labels, period_pages
from entrepot.dashboard.day_notes import clock_change, day_quick_ranges
from entrepot.dashboard.quality import NONE, Quality, marked, quality
from entrepot.dashboard.templating import templates
from entrepot.http.city import Runtime
from entrepot.http.query import accepted_query, unknown_query
from entrepot.i18n import LANGUAGES, Translator, translator

router = APIRouter(prefix="/dashboard", tags=["dashboard"])

DayQuery = Annotated[str | None, Query(alias="date")]
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
#: Which metric document each page shows, and the charts drawn from it.
PAGES: dict[str, tuple[str, str | None, tuple[Any, ...]]] = {
    "": ("city/overview.html", None, ()),
    "velos": (
        "city/bikes.html",
        "bikes",
        (charts.bikes_hourly, charts.bikes_empty_full, charts.counters_hourly),
    ),
    "trafic": (
        "city/traffic.html",
        "traffic",
        (charts.traffic_hourly, charts.traffic_states, charts.traffic_zones),
    ),
    "travaux": (
        "city/roadworks.html",
        "roadworks",
        (charts.roadworks_zones, charts.roadworks_impacts),
    ),
    "meteo": ("city/weather.html", "weather", (charts.weather_hourly,)),
    "rapport": ("city/report.html", None, ()),
}


def _chosen_day(
    text: str | None, last: date | None, t: Translator
) -> tuple[date | None, str | None]:
    """The day asked for (or the last with data) and a problem to show, if any."""
    if not text:
        return last, None
    try:
        if _DAY.fullmatch(text):
            return date.fromisoformat(text), None
    except ValueError:
        pass
    return None, t("dash.not_a_date", text=text)


def unknown_words(unknown: list[str], accepted: list[str], t: Translator) -> str:
    """The page's sentence for query parameters it does not take (issue 44 item 5)."""
    return t("dash.unknown_query", unknown=", ".join(unknown), accepted=", ".join(accepted))


def _figures(
    drawn: list[tuple[dict[str, Any] | None, Quality]], t: Translator
) -> list[dict[str, Any]]:
    """The page's charts, each marked with the warnings of the day it draws and carrying
    them (``notes``, ``operator``) for the list under it."""
    return [
        {
            "id": f"chart-{i}",
            "spec": marked(figure, found, t),
            "notes": found.notes,
            "operator": found.operator,
        }
        for i, (figure, found) in enumerate(drawn)
        if figure is not None
    ]


def _page(name: str, request: Request, env: Runtime, day_text: str | None) -> HTMLResponse:
    template, kind, draw = PAGES[name]
    lang = labels.language(request)
    t = translator(lang)
    metrics = env.metrics
    known = metrics.index(kinds=METRIC_TYPES)
    day, problem = _chosen_day(day_text, known[-1].day if known else None, t)
    if unknown := unknown_query(request):
        day, problem = None, unknown_words(unknown, accepted_query(request), t)
    documents: dict[str, Any] = {}
    warned: dict[str, Quality] = {}
    report = None
    if day is not None:
        found = list(metrics.find(kinds=METRIC_TYPES, start=day, end=day))
        documents = {d.info.kind: d.document["metrics"] for d in found}
        warned = {d.info.kind: quality(d.document, t) for d in found}
        stored = metrics.get(REPORT, day)
        report = None if stored is None else stored.document
    shown = documents.get(kind) if kind is not None else None
    if kind is not None:
        found_quality = warned.get(kind, NONE)
        figures = (
            _figures([(f(shown, t), found_quality) for f in draw], t) if shown is not None else []
        )
        empty = shown is None
    elif name == "rapport":
        figures, empty = [], report is None
    else:
        figures = _figures(
            [
                (
                    charts.traffic_hourly(documents["traffic"], t)
                    if "traffic" in documents
                    else None,
                    warned.get("traffic", NONE),
                ),
                (
                    charts.bikes_hourly(documents["bikes"], t) if "bikes" in documents else None,
                    warned.get("bikes", NONE),
                ),
            ],
            t,
        )
        empty = not documents
    # an instance without any city data answers 200 with how to load some
    status = 400 if problem else (404 if empty and known else 200)
    context: dict[str, Any] = {
        **labels.words(t),
        "lang": lang,
        "t": t,
        "period_pages": labels.PERIOD_PAGES,
        "page": name,
        "day_query": f"?date={day}" if day else "",
        "period_query": f"?to={day}" if day else "",
        "day": day,
        "previous_day": None if day is None else day - timedelta(days=1),
        "next_day": None if day is None else day + timedelta(days=1),
        "first": known[0].day if known else None,
        "last": known[-1].day if known else None,
        "problem": problem,
        "status": status,
        "documents": documents,
        "metrics": shown,
        "summary": summarize({k: {"metrics": v} for k, v in documents.items()}),
        "report": report,
        "report_warnings": _report_warnings(warned, t) if report is not None else [],
        "figures": figures,
        "clock_change": None if day is None else clock_change(day),
        "day_quick": day_quick_ranges(known[0].day, known[-1].day, t) if known else [],
    }
    return templates().TemplateResponse(request, template, context, status_code=status)


@router.get("/lang/{code}", include_in_schema=False, name="dashboard-language")
def switch_language(code: str, request: Request, next: str = "/dashboard/city") -> Response:
    """Choose the dashboard's language (kept in the session, or a cookie without one),
    then go back to ``next`` (a dashboard page)."""
    target = next if next.startswith("/dashboard/") and "//" not in next else "/dashboard/city"
    response = RedirectResponse(target, status_code=303)
    if code in LANGUAGES:
        if "session" in request.scope:
            request.session["lang"] = code
        response.set_cookie(labels.COOKIE, code, max_age=365 * 86_400, samesite="lax")
    return response


@router.get("/", include_in_schema=False)
def home() -> RedirectResponse:
    """``/dashboard/``, the address people type: the overview."""
    return RedirectResponse("/dashboard/city", status_code=307)


@router.get("/city", response_class=HTMLResponse, name="dashboard-city-overview")
def overview(request: Request, env: Runtime, day: DayQuery = None) -> HTMLResponse:
    """Vue d'ensemble: the day's key figures, two charts and the alerts."""
    return _page("", request, env, day)


@router.get("/city/velos", response_class=HTMLResponse, name="dashboard-city-velos")
def bikes(request: Request, env: Runtime, day: DayQuery = None) -> HTMLResponse:
    """Vélos: Vélib' availability, empty and full stations, bike counters."""
    return _page("velos", request, env, day)


@router.get("/city/trafic", response_class=HTMLResponse, name="dashboard-city-trafic")
def traffic(request: Request, env: Runtime, day: DayQuery = None) -> HTMLResponse:
    """Trafic: flows, occupancy, traffic states, arrondissements, congestion alerts."""
    return _page("trafic", request, env, day)


@router.get("/city/travaux", response_class=HTMLResponse, name="dashboard-city-travaux")
def roadworks(request: Request, env: Runtime, day: DayQuery = None) -> HTMLResponse:
    """Travaux: active works, impact per arrondissement, critical zones."""
    return _page("travaux", request, env, day)


@router.get("/city/meteo", response_class=HTMLResponse, name="dashboard-city-meteo")
def weather(request: Request, env: Runtime, day: DayQuery = None) -> HTMLResponse:
    """Météo: the day's weather and its likely effect on mobility."""
    return _page("meteo", request, env, day)


def _report_warnings(warned: dict[str, Quality], t: Translator) -> list[str]:
    """The report's warnings in the page's language: each type's notes, written from their
    messages (the stored report keeps only their English texts), as the report lists
    them (its types in order, 50 at most)."""
    said = [
        f"{t(labels.SOURCES[kind])}: {note}"
        for kind in METRIC_TYPES
        if kind in warned
        for note in (*warned[kind].notes, *warned[kind].operator)
    ]
    return said[:50]


@router.get("/city/rapport", response_class=HTMLResponse, name="dashboard-city-rapport")
def report(request: Request, env: Runtime, day: DayQuery = None) -> HTMLResponse:
    """Rapport: the stored daily report, week-over-week change, CSV download."""
    return _page("rapport", request, env, day)


router.include_router(period_pages.router)
