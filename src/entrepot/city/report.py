"""The daily report: one JSON document built from a day's stored metrics (pure, no I/O).

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
    }


def _top(docs: Mapping[str, Metrics]) -> dict[str, Any]:
    traffic = (docs.get("traffic") or {}).get("metrics") or {}
    bikes = (docs.get("bikes") or {}).get("metrics") or {}
    disruptions = (docs.get("disruptions") or {}).get("metrics") or {}
    works = (docs.get("roadworks") or {}).get("metrics") or {}
    return {
        "arcs": [
            {k: a[k] for k in ("arc", "label", "arrondissement", "total_flow", "dominant_state")}
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


def _alerts(docs: Mapping[str, Metrics]) -> list[dict[str, Any]]:
    alerts: list[dict[str, Any]] = []
    traffic = (docs.get("traffic") or {}).get("metrics") or {}
    for a in (traffic.get("congestion_alerts") or [])[:MAX_TRAFFIC_ALERTS]:
        alerts.append(
            {
                "source": "trafic",
                "level": a["level"],
                "subject": a["label"] or str(a["arc"]),
                "zone": a["arrondissement"],
                "detail": f"{a['congested_hours']} h saturé ou bloqué "
                f"(dont {a['blocked_hours']} h bloqué)",
            }
        )
    stations = ((docs.get("bikes") or {}).get("metrics") or {}).get("stations") or {}
    for s in stations.get("longest_empty") or []:
        alerts.append(
            {
                "source": "vélos",
                "level": "alerte",
                "subject": f"station {s['station']}",
                "zone": None,
                "detail": f"vide pendant {s['hours']} h",
            }
        )
    works = (docs.get("roadworks") or {}).get("metrics") or {}
    for z in works.get("critical_zones") or []:
        alerts.append(
            {
                "source": "travaux",
                "level": "critique",
                "subject": f"arrondissement {z['arrondissement']}",
                "zone": z["arrondissement"],
                "detail": f"{z['active_works']} chantier(s), score {z['score']}, "
                f"{z['total_closures']} barrage(s) total(aux)",
            }
        )
    disruptions = (docs.get("disruptions") or {}).get("metrics") or {}
    if disruptions.get("severe"):
        alerts.append(
            {
                "source": "transports",
                "level": "alerte",
                "subject": "interruptions de service",
                "zone": None,
                "detail": f"{disruptions['severe']} perturbation(s) sans service",
            }
        )
    impact = ((docs.get("weather") or {}).get("metrics") or {}).get("mobility_impact") or {}
    if impact.get("level") in ("modéré", "fort"):
        alerts.append(
            {
                "source": "météo",
                "level": "critique" if impact["level"] == "fort" else "alerte",
                "subject": f"impact {impact['level']} sur la mobilité",
                "zone": None,
                "detail": ", ".join(impact.get("reasons") or []),
            }
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
        "mobility_impact": weather["mobility_impact"],
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
