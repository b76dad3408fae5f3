"""The daily report: one JSON document built from a day's stored metrics (pure, no I/O).

Alerts, levels and states are stored as codes and messages (``level_code``,
``subject_message``, ``detail_messages``: :mod:`entrepot.city.messages`), each beside the
French text the previous release wrote, kept for the API's clients (ADR 0037).

Sections: ``summary`` (totals, each the sum of the metrics' detail rows: vehicles over
the arrondissements, bike counts over the hours, roadworks over the
arrondissements...), ``top`` lists, ``alerts`` (traffic congestion, empty stations,
critical roadworks zones, severe disruptions, weather), ``roadworks``, ``weather``
and ``week_over_week`` (each summary total against the same weekday a week before,
when that day's metrics exist; otherwise ``None``).

The same content goes to the metrics store (JSON) and to the object store as CSV
(:mod:`entrepot.city.report_csv`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from entrepot.city.errors import MissingInput
from entrepot.city.kinds import METRIC_TYPES, REPORT
from entrepot.city.messages import (
    ALERT_CLOSURES,
    ALERT_CONGESTION,
    ALERT_EMPTY_FOR,
    ALERT_NO_SERVICE,
    ALERT_SCORE,
    ALERT_WORKS,
    SUBJECT_INTERRUPTIONS,
    SUBJECT_STATION,
    SUBJECT_WEATHER,
    WORDS,
    Message,
    arc,
    place,
)
from entrepot.messages import N_
from entrepot.messages import Message as Said

TOP = 5
MAX_TRAFFIC_ALERTS = 20
#: Summary totals compared week over week.
COMPARED = (
    "traffic_vehicles",
    "congested_arcs",
    "lost_time_hours",
    "bike_counts",
    "bikes_available_mean",
    "disruptions",
    "active_roadworks",
    "precipitation_mm",
)

Metrics = Mapping[str, Any]


def previous_week(day: date) -> date:
    """The same weekday one week before."""
    return day - timedelta(days=7)


def _sum(rows: Any, field: str, digits: int = 1) -> float | int | None:
    values = [r[field] for r in rows or [] if r.get(field) is not None]
    if not values:
        return None
    total = sum(values)
    return total if isinstance(total, int) else round(total, digits)


def summarize(docs: Mapping[str, Metrics]) -> dict[str, Any]:
    """Day totals from metric documents (``{type: document}``); absent types give None."""
    traffic = (docs.get("traffic") or {}).get("metrics") or {}
    bikes = (docs.get("bikes") or {}).get("metrics") or {}
    stations, counters = bikes.get("stations") or {}, bikes.get("counters") or {}
    disruptions = (docs.get("disruptions") or {}).get("metrics") or {}
    works = (docs.get("roadworks") or {}).get("metrics") or {}
    weather = (docs.get("weather") or {}).get("metrics") or {}
    zones = traffic.get("by_arrondissement")
    return {
        "traffic_vehicles": _sum(zones, "total_flow"),
        "traffic_arcs": _sum(zones, "arcs"),
        "congested_arcs": traffic.get("congested_arcs"),
        "lost_time_hours": _sum(zones, "congested_hours"),
        "bike_counts": _sum(counters.get("hourly"), "count"),
        "bikes_available_mean": stations.get("bikes_available_mean"),
        "empty_stations_max": stations.get("empty_stations_max"),
        "disruptions": disruptions.get("disruptions"),
        "severe_disruptions": disruptions.get("severe"),
        "active_roadworks": _sum(works.get("by_arrondissement"), "active_works"),
        "critical_zones": len(works["critical_zones"]) if "critical_zones" in works else None,
        "precipitation_mm": weather.get("precipitation_mm"),
        "temperature_mean": (weather.get("temperature") or {}).get("mean"),
        "weather_impact": (weather.get("mobility_impact") or {}).get("level"),
        "weather_impact_code": weather.get("mobility_impact_level"),
    }


_STATE = ("dominant_state", "dominant_state_code")


def _top(docs: Mapping[str, Metrics]) -> dict[str, Any]:
    traffic = (docs.get("traffic") or {}).get("metrics") or {}
    bikes = (docs.get("bikes") or {}).get("metrics") or {}
    disruptions = (docs.get("disruptions") or {}).get("metrics") or {}
    works = (docs.get("roadworks") or {}).get("metrics") or {}
    return {
        "arcs": [
            {k: a.get(k) for k in ("arc", "label", "arrondissement", "total_flow", *_STATE)}
            for a in (traffic.get("top_arcs") or [])[:TOP]
        ],
        "zones": [
            {k: z[k] for k in ("arrondissement", "mean_occupancy", "total_flow")}
            for z in (traffic.get("top_zones") or [])[:TOP]
        ],
        "counters": ((bikes.get("counters") or {}).get("top_counters") or [])[:TOP],
        "empty_stations": ((bikes.get("stations") or {}).get("longest_empty") or [])[:TOP],
        "lines": (disruptions.get("top_lines") or [])[:TOP],
        "works": [
            {k: w[k] for k in ("id", "arrondissement", "street", "impact", "score")}
            for w in (works.get("top_works") or [])[:TOP]
        ],
    }


def _alert(
    source: tuple[str, str],
    level: tuple[str, str],
    subject: tuple[str, Message | str],
    zone: str | None,
    detail: tuple[str, list[Message]],
) -> dict[str, Any]:
    """An alert: each fact as a code or messages, its French text beside for the API."""
    return {
        "source": source[1],
        "source_code": source[0],
        "level": level[1],
        "level_code": level[0],
        "subject": subject[0],
        "subject_message": subject[1].to_json() if isinstance(subject[1], Message) else subject[1],
        "zone": zone,
        "detail": detail[0],
        "detail_messages": [m.to_json() for m in detail[1]],
    }


ALERT = ("alert", "alerte")
CRITICAL = ("critical", "critique")
#: The impact levels a weather document of the previous release stored in French.
_LEVELS = {"faible": "low", "modéré": "moderate", "fort": "high"}


def _alerts(docs: Mapping[str, Metrics]) -> list[dict[str, Any]]:
    alerts: list[dict[str, Any]] = []
    traffic = (docs.get("traffic") or {}).get("metrics") or {}
    for a in (traffic.get("congestion_alerts") or [])[:MAX_TRAFFIC_ALERTS]:
        congested, blocked = a["congested_hours"], a["blocked_hours"]
        alerts.append(
            _alert(
                ("traffic", "trafic"),
                CRITICAL if a["level"] == "critique" else ALERT,
                (a["label"] or str(a["arc"]), arc(a["label"], a["arc"], a["arrondissement"])),
                a["arrondissement"],
                (
                    f"{congested} h saturé ou bloqué (dont {blocked} h bloqué)",
                    [Message(ALERT_CONGESTION, {"congested": congested, "blocked": blocked})],
                ),
            )
        )
    stations = ((docs.get("bikes") or {}).get("metrics") or {}).get("stations") or {}
    for s in stations.get("longest_empty") or []:
        alerts.append(
            _alert(
                ("bikes", "vélos"),
                ALERT,
                (f"station {s['station']}", Message(SUBJECT_STATION, {"name": str(s["station"])})),
                None,
                (f"vide pendant {s['hours']} h", [Message(ALERT_EMPTY_FOR, {"hours": s["hours"]})]),
            )
        )
    works = (docs.get("roadworks") or {}).get("metrics") or {}
    for z in works.get("critical_zones") or []:
        zone, count, closures = z["arrondissement"], z["active_works"], z["total_closures"]
        alerts.append(
            _alert(
                ("roadworks", "travaux"),
                CRITICAL,
                (f"arrondissement {zone}", place(zone)),
                zone,
                (
                    f"{count} chantier(s), score {z['score']}, {closures} barrage(s) total(aux)",
                    [
                        Message(ALERT_WORKS, {"count": count}),
                        Message(ALERT_SCORE, {"score": z["score"]}),
                        Message(ALERT_CLOSURES, {"count": closures}),
                    ],
                ),
            )
        )
    disruptions = (docs.get("disruptions") or {}).get("metrics") or {}
    if disruptions.get("severe"):
        severe = disruptions["severe"]
        alerts.append(
            _alert(
                ("transit", "transports"),
                ALERT,
                ("interruptions de service", Message(SUBJECT_INTERRUPTIONS)),
                None,
                (
                    f"{severe} perturbation(s) sans service",
                    [Message(ALERT_NO_SERVICE, {"count": severe})],
                ),
            )
        )
    weather = (docs.get("weather") or {}).get("metrics") or {}
    impact = weather.get("mobility_impact") or {}
    level = weather.get("mobility_impact_level") or _LEVELS.get(str(impact.get("level")))
    if level in ("moderate", "high"):
        reasons = [Message.from_json(r) for r in weather.get("mobility_impact_reasons") or []]
        alerts.append(
            _alert(
                ("weather", "météo"),
                CRITICAL if level == "high" else ALERT,
                (
                    f"impact {impact['level']} sur la mobilité",
                    Message(SUBJECT_WEATHER, {"level": Message(WORDS["impact"][level])}),
                ),
                None,
                (", ".join(impact.get("reasons") or []), [r for r in reasons if r is not None]),
            )
        )
    return alerts


def _roadworks(docs: Mapping[str, Metrics]) -> dict[str, Any] | None:
    works = (docs.get("roadworks") or {}).get("metrics")
    if not works:
        return None
    return {
        "active_works": works["active_works"],
        "total_score": works["total_score"],
        "by_impact": works["by_impact"],
        "by_impact_code": works.get("by_impact_code"),
        "by_level": works["by_level"],
        "critical_zones": [z["arrondissement"] for z in works["critical_zones"]],
        "by_arrondissement": [
            {k: z[k] for k in ("arrondissement", "active_works", "score", "critical")}
            for z in works["by_arrondissement"]
        ],
    }


def _weather(docs: Mapping[str, Metrics]) -> dict[str, Any] | None:
    weather = (docs.get("weather") or {}).get("metrics")
    if not weather:
        return None
    dominant = weather.get("dominant_weather") or {}
    return {
        "temperature": weather["temperature"],
        "precipitation_mm": weather["precipitation_mm"],
        "rainy_hours": weather["rainy_hours"],
        "gust_max_kmh": weather["gust_max_kmh"],
        "dominant": dominant.get("label"),
        "dominant_code": dominant.get("code"),
        "mobility_impact": weather["mobility_impact"],
        "mobility_impact_level": weather.get("mobility_impact_level"),
        "mobility_impact_reasons": weather.get("mobility_impact_reasons"),
    }


def week_over_week(current: Mapping[str, Any], previous: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each compared total present both days: values, change and change in percent."""
    rows = []
    for name in COMPARED:
        now, before = current.get(name), previous.get(name)
        if now is None or before is None:
            continue
        change = round(now - before, 1)
        rows.append(
            {
                "metric": name,
                "current": now,
                "previous": before,
                "change": change,
                "change_pct": round(100 * change / before, 1) if before else None,
            }
        )
    return rows


def build_report(
    day: date,
    docs: Mapping[str, Metrics],
    previous: Mapping[str, Metrics] | None,
    *,
    run_id: str,
    sources: Mapping[str, str],
) -> dict[str, Any]:
    """The report of ``day`` from its metric documents (``{type: document}``).

    ``previous`` holds the documents of :func:`previous_week` (empty or None when that day
    was not computed); ``sources`` maps each type used to its document's sha256.
    Raises :class:`MissingInput` when no metrics exist for the day.
    """
    present = {t: d for t, d in docs.items() if t in METRIC_TYPES}
    if not present:
        raise MissingInput(
            f"no metrics are stored for {day}: nothing to report",
            hint="every metric type of that day failed or was never run: see "
            "`entrepot city status --failed`",
            said=Said(N_("error.city.nothing_to_report"), {"day": str(day)}),
        )
    summary = summarize(present)
    comparison = None
    if previous:
        comparison = {
            "previous_date": previous_week(day).isoformat(),
            "changes": week_over_week(summary, summarize(previous)),
        }
    warnings = [f"{t}: {w}" for t, d in present.items() for w in d.get("warnings") or []]
    return {
        "type": REPORT,
        "date": day.isoformat(),
        "run": run_id,
        "sources": {t: sources.get(t) for t in METRIC_TYPES if t in present},
        "missing": [t for t in METRIC_TYPES if t not in present],
        "summary": summary,
        "top": _top(present),
        "alerts": _alerts(present),
        "roadworks": _roadworks(present),
        "weather": _weather(present),
        "week_over_week": comparison,
        "warnings": warnings[:50],
    }
