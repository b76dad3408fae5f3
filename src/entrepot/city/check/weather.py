"""Weather metrics of a day, recomputed from the weather hour partitions
(``raw/api/weather/dt=DAY/hour=HH/*.json``) with plain Python, from the definitions of
``docs/city.md`` ("Weather"), sharing nothing with the weather processor.

Each Open-Meteo-shaped document gives values per hour; a sum (precipitation, rain,
showers, snowfall and their notes) stamped at H is for the hour before H unless the
document says ``"precipitation_hour": "start"``. The day is its Paris hours; for each hour
and variable the value of the latest partition wins (its Paris hour, the repeated autumn
hour's second snapshot ``*_fold1`` after the first).

What is recomputed: hours covered, temperature min/max/mean, precipitation, rainy hours,
wind and gust maxima, humidity and cloud-cover means, the dominant weather code and
the mobility-impact score and level, and every hour's temperature, precipitation and wind.
:data:`NOT_CHECKED` names the rest.
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, date, datetime, timedelta
from math import fsum
from typing import Any
from zoneinfo import ZoneInfo

from entrepot.city import layout
from entrepot.city.check.traffic import Lake, Recomputed
from entrepot.city.check.values import rounded

PARIS = ZoneInfo("Europe/Paris")
SUMS = frozenset(
    {"precipitation", "rain", "showers", "snowfall", "precipitation_accumulation_h",
     "precipitation_split"}
)  # fmt: skip
#: The figures of each hour: stored name -> variable.
HOURLY = (
    ("temperature", "temperature_2m"),
    ("precipitation", "precipitation"),
    ("wind", "wind_speed_10m"),
)
#: Stored weather metrics this module does not recompute.
NOT_CHECKED = (
    "weather.mobility_impact.reasons",
    "weather.mobility_impact_reasons",
    "weather.dominant_weather.label",
)


class Unreadable(Exception):
    """A weather object this check does not read (another shape or format)."""


def _fetched(key: str, day: date) -> tuple[datetime, str]:
    hour = int(key.split("/hour=", 1)[1][:2])
    fold = 1 if "_fold1." in key.rsplit("/", 1)[-1] else 0
    local = datetime(day.year, day.month, day.day, hour, tzinfo=PARIS, fold=fold)
    return local.astimezone(UTC), key


def _document(key: str, data: bytes) -> dict[str, Any]:
    if key.endswith(".gz"):
        data = gzip.decompress(data)
    elif not key.endswith(".json"):
        raise Unreadable(key)
    doc = json.loads(data.decode("utf-8"))
    if not isinstance(doc, dict) or not isinstance(doc.get("hourly"), dict):
        raise Unreadable(key)
    return doc


def day_hours(store: Lake, day: date) -> dict[datetime, dict[str, float]] | None:
    """Per UTC hour start of ``day``, each variable's latest value; None when the day has
    no weather object; raises :class:`Unreadable` for an object of another kind."""
    keys = [i.key for i in store.list(f"{layout.source_prefix('weather')}dt={day.isoformat()}/")]
    keys = [k for k in keys if not k.rsplit("/", 1)[-1].startswith("_")]
    if not keys:
        return None
    first = datetime(day.year, day.month, day.day, tzinfo=PARIS).astimezone(UTC)
    after = day + timedelta(days=1)
    last = datetime(after.year, after.month, after.day, tzinfo=PARIS).astimezone(UTC)
    hours: dict[datetime, dict[str, float]] = {}
    for key in sorted(keys, key=lambda k: _fetched(k, day)):
        doc = _document(key, store.get(key))
        offset = timedelta(seconds=int(doc.get("utc_offset_seconds", 0)))
        start_named = doc.get("precipitation_hour") == "start"
        hourly = doc["hourly"]
        times = [datetime.fromisoformat(t).replace(tzinfo=UTC) - offset for t in hourly["time"]]
        for name, values in hourly.items():
            if name == "time":
                continue
            shift = timedelta(hours=1) if name in SUMS and not start_named else timedelta(0)
            for at, value in zip(times, values, strict=True):
                hour = at - shift
                if value is not None and first <= hour < last:
                    hours.setdefault(hour, {})[name] = float(value)
    return hours


def _values(hours: dict[datetime, dict[str, float]], name: str) -> list[float]:
    return [v[name] for _, v in sorted(hours.items()) if name in v]


def day_metrics(hours: dict[datetime, dict[str, float]]) -> Recomputed | None:
    """The recomputed weather metrics of one day's hours; None without any hour."""
    if not hours:
        return None
    temp, rain = _values(hours, "temperature_2m"), _values(hours, "precipitation")
    gusts, wind = _values(hours, "wind_gusts_10m"), _values(hours, "wind_speed_10m")
    humidity, cloud = _values(hours, "relative_humidity_2m"), _values(hours, "cloud_cover")
    codes = [int(c) for c in _values(hours, "weather_code")]
    rainy = sum(1 for r in rain if r >= 0.1)
    # rain is kept to 0.001 mm: its total is compared at that precision, so that seven
    # hours of 1.7 + 1.3 + 0.7 + 0.7 + 0.2 + 0.2 + 0.2 mm are 5 mm, not past 5 mm
    total = round(fsum(rain), 3)
    score = rainy + (10 if total > 5 else 0)
    if gusts and max(gusts) >= 50:
        score += 30 if max(gusts) >= 70 else 15
    if temp and min(temp) < 0:
        score += 10
    if temp and max(temp) > 30:
        score += 10
    level = "low" if score < 15 else "moderate" if score < 35 else "high"
    dominant = None  # the smallest of the most frequent codes
    if codes:
        top = max(codes.count(c) for c in set(codes))
        dominant = min(c for c in set(codes) if codes.count(c) == top)
    out: Recomputed = {
        "hours_covered": (len(hours), None),
        "temperature.min": (rounded(min(temp), 1) if temp else None, 1),
        "temperature.max": (rounded(max(temp), 1) if temp else None, 1),
        "temperature.mean": (rounded(sum(temp) / len(temp), 1) if temp else None, 1),
        "precipitation_mm": (rounded(total, 1) if rain else None, 1),
        "rainy_hours": (rainy, None),
        "wind_max_kmh": (rounded(max(wind), 1) if wind else None, 1),
        "gust_max_kmh": (rounded(max(gusts), 1) if gusts else None, 1),
        "humidity_mean": (rounded(sum(humidity) / len(humidity), 1) if humidity else None, 1),
        "cloud_cover_mean": (rounded(sum(cloud) / len(cloud), 1) if cloud else None, 1),
        "mobility_impact.score": (score, None),
        "mobility_impact_level": (level, None),
    }
    for at, values in sorted(hours.items()):
        row = f"hourly.time_utc={at.strftime('%Y-%m-%dT%H:%MZ')}"
        out[f"{row}.hour"] = (at.astimezone(PARIS).hour, None)
        for name, variable in HOURLY:
            value = values.get(variable)
            out[f"{row}.{name}"] = (None if value is None else rounded(value, 1), 1)
    if dominant is None:
        out["dominant_weather"] = (None, None)
    else:
        out["dominant_weather.code"] = (dominant, None)
    return out
