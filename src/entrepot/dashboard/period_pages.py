"""The dashboard's period pages: key figures and trends over a range of days, and the map.

``GET /dashboard/city/periode?from=YYYY-MM-DD&to=YYYY-MM-DD``: key figures over the
range with their change against the period of the same length just before, and charts
day by day; ``GET /dashboard/city/carte?from=…&to=…``: the map of Paris for the range.
Without a range, the last seven days with data. Key figures and trends read the stored
daily reports (one small document per day); the map reads the traffic and roadworks
metrics and the places of :mod:`entrepot.city.places`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from entrepot.city.kinds import REPORT
from entrepot.city_service.records import DayRange, quick_ranges
from entrepot.dashboard import labels
from entrepot.dashboard.periods import (
    DIRECTIONS,
    KPI_LABELS,
    MAX_DAYS,
    Period,
    PeriodProblem,
    choose_period,
    kpis,
)
from entrepot.dashboard.templating import templates
from entrepot.dashboard.trends import trends
from entrepot.http.city import Runtime
from entrepot.http.query import accepted_query, unknown_query
from entrepot.i18n import Translator, translator
from entrepot.i18n.catalogs import N_

#: Mounted under ``/dashboard`` by :mod:`entrepot.dashboard.city`.
router = APIRouter()
FromQuery = Annotated[str | None, Query(alias="from")]
ToQuery = Annotated[str | None, Query(alias="to")]
#: Rows of the map's text alternative.
TOP_ZONES = 10
#: The map's layers that may be missing -> their names.
LAYERS = {
    "arcs": N_("dash.map.layer_arcs"),
    "stations": N_("dash.map.layer_stations"),
    "works": N_("dash.map.layer_works"),
}


#: An instance without city data: not a failure (200), the page says how to load some.
NO_DATA_AT_ALL = N_("dash.range.no_data_at_all")


def _period(env: Runtime, start: str | None, end: str | None) -> tuple[Period, list[date]]:
    """The period asked for and the days with a report, or :class:`PeriodProblem`."""
    known = [i.day for i in env.metrics.index(kinds=(REPORT,))]
    if not known:
        raise PeriodProblem(NO_DATA_AT_ALL, 200)  # the page says how to load some
    period = choose_period(start, end, known[-1])
    if not any(day in period for day in known):
        raise PeriodProblem(
            N_("dash.range.no_data"),
            404,
            start=period.start,
            end=period.end,
            first=known[0],
            last=known[-1],
        )
    return period, known


QUICK_LABELS = {
    "last_7": N_("dash.quick.last_7"),
    "last_30": N_("dash.quick.last_30"),
    "last_90": N_("dash.quick.last_90"),
    "this_month": N_("dash.quick.this_month"),
    "all": N_("dash.quick.all"),
}


def _links(
    period: Period | None, first: date | None, last: date | None, t: Translator
) -> dict[str, Any]:
    """The quick ranges (from the last day with data; all of it, as long as a period may
    be) and the time-shift links of the period shown: ``(label, query)`` pairs."""
    quick = [] if last is None else quick_ranges(last, first, MAX_DAYS)
    links: dict[str, Any] = {
        "quick": [
            (t(QUICK_LABELS[q.key]), f"?from={q.range.start}&to={q.range.end}") for q in quick
        ],
        "shift": [],
        "compared": None,
    }
    if period is not None:
        shown = DayRange(period.start, period.end)
        before, after = shown.previous(), shown.shifted(1)
        links["shift"] = [
            (t(N_("dash.quick.previous")), f"?from={before.start}&to={before.end}", "previous"),
            (t(N_("dash.quick.next")), f"?from={after.start}&to={after.end}", "next"),
        ]
        links["compared"] = before
    return links


def _render(
    request: Request,
    template: str,
    page: str,
    start: str | None,
    end: str | None,
    context: dict[str, Any],
    problem: PeriodProblem | None = None,
) -> HTMLResponse:
    period = context.get("period")
    lang = labels.language(request)
    t = translator(lang)
    base: dict[str, Any] = {
        **labels.words(t),
        "lang": lang,
        "t": t,
        "period_pages": labels.PERIOD_PAGES,
        "kpi_labels": {key: t(label) for key, label in KPI_LABELS.items()},
        "directions": {name: t(word) for name, word in DIRECTIONS.items()},
        "page": page,
        "day": None,
        "from_text": period.start.isoformat() if period else (start or ""),
        "to_text": period.end.isoformat() if period else (end or ""),
        "day_query": f"?date={period.end}" if period else "",
        "period_query": f"?from={period.start}&to={period.end}" if period else "",
        "problem": problem.text(t) if problem else None,
        "empty_instance": problem is not None and problem.key == NO_DATA_AT_ALL,
        "figures": [],
    }
    status = problem.status if problem else 200
    base |= _links(period, context.get("first"), context.get("last"), t)
    values = {**base, **context, "status": status}
    return templates().TemplateResponse(request, template, values, status_code=status)


def _asked_only_dates(request: Request) -> None:
    """A :class:`PeriodProblem` when the address names a parameter the page does not take."""
    if unknown := unknown_query(request):
        accepted = ", ".join(accepted_query(request))
        raise PeriodProblem("dash.unknown_query", unknown=", ".join(unknown), accepted=accepted)


def _translator(request: Request) -> Translator:
    return translator(labels.language(request))


def _figures(drawn: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"id": f"chart-{i}", "spec": figure} for i, figure in enumerate(drawn)]


@router.get("/city/periode", response_class=HTMLResponse, name="dashboard-city-periode")
def period_page(
    request: Request, env: Runtime, start: FromQuery = None, end: ToQuery = None
) -> HTMLResponse:
    """Période: key figures over a range of days against the one before, and trends."""
    try:
        _asked_only_dates(request)
        period, known = _period(env, start, end)
    except PeriodProblem as problem:
        return _render(request, "city/period.html", "periode", start, end, {}, problem)
    before = period.previous()
    summaries = {
        d.info.day: d.document.get("summary") or {}
        for d in env.metrics.find(kinds=(REPORT,), start=before.start, end=period.end)
    }
    current = {d: s for d, s in summaries.items() if d in period}
    previous = {d: s for d, s in summaries.items() if d in before}
    context = {
        "period": period,
        "before": before,
        "first": known[0],
        "last": known[-1],
        "kpis": kpis(current, previous),
        "covered": len(current),
        "covered_before": len(previous),
        "rows": [(d, current.get(d)) for d in period.dates()],
        "figures": _figures(trends(current, period, _translator(request))),
    }
    return _render(request, "city/period.html", "periode", start, end, context)


def _zones(env: Runtime, period: Period) -> tuple[dict[str, dict[str, float]], date | None]:
    """Per arrondissement over ``period``: congestion hours, vehicles and (on the last day
    with roadworks metrics) active works; and that day."""
    zones: dict[str, dict[str, float]] = {}
    works: dict[str, float] = {}
    works_day = None
    for found in env.metrics.find(
        kinds=("traffic", "roadworks"), start=period.start, end=period.end
    ):
        rows = (found.document.get("metrics") or {}).get("by_arrondissement") or []
        if found.info.kind == "roadworks":  # the last day's works replace the earlier days'
            works_day = found.info.day
            works = {str(r.get("arrondissement")): float(r.get("active_works") or 0) for r in rows}
            continue
        for row in rows:
            zone = zones.setdefault(str(row.get("arrondissement")), {})
            for key, field in (("congestion", "congested_hours"), ("vehicles", "total_flow")):
                zone[key] = zone.get(key, 0.0) + float(row.get(field) or 0)
    for code in {*zones, *works}:
        zones.setdefault(code, {})["works"] = works.get(code, 0.0)
    return zones, works_day


@router.get("/city/carte", response_class=HTMLResponse, name="dashboard-city-carte")
def map_page(
    request: Request, env: Runtime, start: FromQuery = None, end: ToQuery = None
) -> HTMLResponse:
    """Carte: arrondissements by congestion, arcs, stations and roadworks over a range."""
    # numpy and pandas (places, polygons) load with the first map, not with the app
    from entrepot.city.places import places
    from entrepot.dashboard.paris_map import paris_map, zone_name

    try:
        _asked_only_dates(request)
        period, known = _period(env, start, end)
    except PeriodProblem as problem:
        return _render(request, "city/map.html", "carte", start, end, {}, problem)
    zones, works_day = _zones(env, period)
    day = works_day or min(period.end, known[-1])
    found = places(env.lake(), day)
    congestion = {code: z.get("congestion", 0.0) for code, z in zones.items()}
    ranked = sorted(
        ((code, z) for code, z in zones.items() if code.startswith("750")),
        key=lambda item: (-item[1].get("congestion", 0.0), item[0]),
    )
    t = _translator(request)
    context = {
        "period": period,
        "first": known[0],
        "last": known[-1],
        "works_day": day,
        "top": [(zone_name(code, t), code, z) for code, z in ranked[:TOP_ZONES]],
        "has_zones": any(z.get("congestion") or z.get("vehicles") for z in zones.values()),
        "missing": [t(LAYERS[m]) for m in found.missing],
        "figures": _figures([paris_map(congestion, found, t)]),
    }
    return _render(request, "city/map.html", "carte", start, end, context)
