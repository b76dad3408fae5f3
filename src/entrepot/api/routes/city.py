"""``/city/...``: the stored city metrics and reports over HTTP (read-only).

Routes: ``/city/health``, ``/city/stats``, ``/city/metrics/{type}/{date}``,
``/city/metrics/{date}`` (every type that day), ``/city/metrics/{type}?from=&to=``,
``/city/report/{date}`` and ``/city/report/{date}/csv`` (the latest report CSV, checked
against the catalog). A bad type or date is a 400, a day without data a 404, an
unreachable metrics store or catalog a 503.

The routes take a :class:`~entrepot.city_service.service.CityService` from ``app.state.city``;
when absent, one is built from the Entrepôt app in ``app.state.entrepot``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse

from entrepot.city.days import DAY_TEXT
from entrepot.city.days import parse_day as day_of
from entrepot.city.errors import CityError, MetricsNotFound, MetricsUnavailable
from entrepot.city.kinds import METRIC_TYPES, REPORT
from entrepot.city_service.service import CityService
from entrepot.errors import (
    CatalogError,
    ConfigError,
    DatabaseUnavailable,
    EntrepotError,
    InvalidArgument,
)
from entrepot.http.city import Runtime
from entrepot.http.query import known_query_only
from entrepot.http.trust import trusted_reader
from entrepot.messages import N_, Message

log = logging.getLogger("entrepot.api.city")
router = APIRouter(prefix="/city", tags=["city"], dependencies=[Depends(known_query_only)])

#: Longest range ``/city/metrics/{type}?from=&to=`` returns; without bounds, the last
#: :data:`DEFAULT_RANGE_DAYS` days that have data.
MAX_RANGE_DAYS = 366
DEFAULT_RANGE_DAYS = 31
T = TypeVar("T")


def parse_day(text: str, what: str = "date") -> date:
    """A ``YYYY-MM-DD`` path or query value (the city's one day rule); a 400 otherwise."""
    try:
        return day_of(text)
    except InvalidArgument:
        raise HTTPException(
            400, f"{what} {text!r} is not a date: write YYYY-MM-DD, e.g. 2025-11-04"
        ) from None


def parse_type(text: str) -> str:
    """A metric type; a 400 naming the known ones otherwise."""
    if text not in METRIC_TYPES:
        raise HTTPException(
            400, f"unknown metric type {text!r}: choose from {', '.join(METRIC_TYPES)}"
        )
    return text


def answer(action: Callable[[], T]) -> T:
    """Run ``action``, turning Entrepôt errors into HTTP errors (the one mapping here)."""
    try:
        return action()
    except MetricsNotFound as exc:
        raise HTTPException(404, exc.message) from None
    except (MetricsUnavailable, DatabaseUnavailable) as exc:
        raise HTTPException(503, str(exc)) from None
    except (ConfigError, InvalidArgument, CityError) as exc:
        raise HTTPException(400, str(exc)) from None
    except CatalogError as exc:
        raise HTTPException(503, str(exc)) from None


@router.get("/health")
def health(env: Runtime) -> JSONResponse:
    """Whether the metrics store and the catalog answer."""
    checks: dict[str, str] = {}
    healthy = True
    checks_to_run: tuple[tuple[str, Callable[[], object]], ...] = (
        ("metrics", lambda: env.metrics.ping()),
        ("catalog", env.ping_catalog),
    )
    for name, check in checks_to_run:
        try:
            check()
            checks[name] = "ok"
        except EntrepotError as exc:  # the detail (URLs, hosts) goes to the log, not the body
            log.warning("city health: %s is unavailable: %s", name, exc)
            checks[name] = "unavailable"
            healthy = False
    body = {"status": "ok" if healthy else "unavailable", "checks": checks}
    return JSONResponse(body, status_code=200 if healthy else 503)


@router.get("/stats")
def stats(env: Runtime, request: Request) -> dict[str, Any]:
    """Documents per kind with their day range, and the watermarks per source. The metrics
    store is named by its kind (``postgresql``, ``mongodb``...); its URL, masked, only to
    an administrator or the holder of the metrics token."""
    trusted = trusted_reader(request)

    def collect() -> dict[str, Any]:
        index = env.metrics.index()
        kinds: dict[str, dict[str, Any]] = {}
        for info in index:
            entry = kinds.setdefault(info.kind, {"documents": 0, "first": None, "last": None})
            entry["documents"] += 1
            entry["first"] = entry["first"] or info.day.isoformat()
            entry["last"] = info.day.isoformat()
        return {
            "metrics_store": env.metrics.url if trusted else _kind(env.metrics.url),
            "documents": len(index),
            "days": len({i.day for i in index}),
            "last_day": max((i.day for i in index), default=None),
            "kinds": kinds,
            "watermarks": [
                {
                    "source": s.source,
                    "ok": s.ok,
                    "failed": s.failed,
                    "first": s.first_day,
                    "last": s.last_day,
                    "updated_at": s.updated_at,
                }
                for s in env.watermarks.summary()
            ],
        }

    return answer(collect)


def _kind(url: str) -> str:
    """What kind of store a URL names, and nothing of where it is."""
    return url.partition("://")[0].partition("+")[0] or "unknown"


@router.get("/metrics/{metric_type}/{day}")
def metrics_of_day(metric_type: str, day: str, env: Runtime) -> dict[str, Any]:
    """The metrics of one type on one day."""
    kind, when = parse_type(metric_type), parse_day(day)
    return answer(lambda: env.metrics.require(kind, when).document)


@router.get("/metrics/{item}")
def metrics_by_day_or_type(
    item: str,
    env: Runtime,
    start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    """``/metrics/{date}``: every type that day; ``/metrics/{type}?from=&to=``: one type
    over a range (both bounds inclusive)."""
    if item in METRIC_TYPES:
        return answer(lambda: _range(env, item, start, end))
    if not DAY_TEXT.fullmatch(item):
        raise HTTPException(
            400,
            f"{item!r} is neither a metric type ({', '.join(METRIC_TYPES)}) "
            "nor a date (YYYY-MM-DD)",
        )
    if start is not None or end is not None:
        raise HTTPException(400, "from and to go with a metric type: /city/metrics/{type}?from=")
    when = parse_day(item)

    def day_documents() -> dict[str, Any]:
        found = env.metrics.find(kinds=METRIC_TYPES, start=when, end=when)
        documents = {d.info.kind: d.document for d in found}
        if not documents:
            raise MetricsNotFound(
                f"no metrics are stored for {when}",
                said=Message(N_("error.api.no_metrics_for_day"), {"day": when.isoformat()}),
            )
        return {"date": when.isoformat(), "metrics": documents}

    return answer(day_documents)


def _range(env: CityService, kind: str, start: str | None, end: str | None) -> dict[str, Any]:
    first = None if start is None else parse_day(start, "from")
    last = None if end is None else parse_day(end, "to")
    if last is None:
        known = env.metrics.index(kinds=[kind], start=first)
        last = known[-1].day if known else (first or date.today())
    if first is None:
        first = last - timedelta(days=DEFAULT_RANGE_DAYS - 1)
    if first > last:
        raise HTTPException(400, f"from {first} is after to {last}")
    if (last - first).days >= MAX_RANGE_DAYS:
        raise HTTPException(400, f"{first} to {last} is more than {MAX_RANGE_DAYS} days")
    documents = [d.document for d in env.metrics.find(kinds=[kind], start=first, end=last)]
    return {"type": kind, "from": first, "to": last, "documents": documents}


@router.get("/report/{day}")
def report(day: str, env: Runtime) -> dict[str, Any]:
    """The daily report (JSON)."""
    when = parse_day(day)
    return answer(lambda: env.metrics.require(REPORT, when).document)


@router.get("/report/{day}/csv")
def report_csv(day: str, env: Runtime) -> Response:
    """The latest report CSV of the day, verified against the catalog."""
    when = parse_day(day)
    record, data = answer(lambda: env.reports.read_latest(when))
    name = record.key.rsplit("/", 1)[-1]
    return Response(
        data,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{when}-{name}"'},
    )
