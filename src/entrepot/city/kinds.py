"""The names of what the pipeline computes: metric types and the daily report."""

from __future__ import annotations

from collections.abc import Iterable

from entrepot.city.errors import UnknownCityName
from entrepot.messages import N_, Message

#: Metric types, in processing order.
METRIC_TYPES = ("bikes", "disruptions", "weather", "traffic", "roadworks")
#: The kind of the daily report document (stored beside the metrics).
REPORT = "report"
#: Every kind of document a metrics store holds.
DOCUMENT_KINDS = (*METRIC_TYPES, REPORT)

#: The hourly Open-Meteo variables the weather processor reads (asked for by the collector,
#: written by the synthetic generator).
OPEN_METEO_HOURLY = (
    "temperature_2m",
    "relative_humidity_2m",
    "precipitation",
    "rain",
    "weather_code",
    "cloud_cover",
    "wind_speed_10m",
    "wind_gusts_10m",
)

#: Bump when a processor's definitions change: every watermark then misses and the next
#: run recomputes each day it covers.
PIPELINE_VERSION = "4"


def check_types(types: Iterable[str]) -> tuple[str, ...]:
    """Validate metric type names; raises :class:`UnknownCityName` naming the unknown ones."""
    chosen = tuple(dict.fromkeys(types))
    unknown = [t for t in chosen if t not in METRIC_TYPES]
    if unknown:
        raise UnknownCityName(
            f"unknown metric type(s) {', '.join(unknown)}",
            hint=f"choose from {', '.join(METRIC_TYPES)}",
            said=Message(
                N_("error.city.unknown_types"),
                {"types": ", ".join(unknown)[:200], "choices": ", ".join(METRIC_TYPES)},
            ),
        )
    return chosen


def check_kind(kind: str) -> str:
    """Validate a document kind (a metric type or ``report``)."""
    if kind not in DOCUMENT_KINDS:
        raise UnknownCityName(
            f"unknown document kind {kind!r}",
            hint=f"choose from {', '.join(DOCUMENT_KINDS)}",
            said=Message(
                N_("error.city.unknown_kind"),
                {"kind": kind[:100], "choices": ", ".join(DOCUMENT_KINDS)},
            ),
        )
    return kind
