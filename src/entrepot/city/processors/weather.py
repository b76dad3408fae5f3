"""Weather metrics of one local day: a daily summary and its likely effect on mobility.

Snapshots are normalised to a long table ``(ts_utc, variable, value, fetched)``
so the provider can change: the Open-Meteo shape (columnar ``hourly`` arrays,
168 values per snapshot) and the OpenWeatherMap current-weather shape are read.
For each hour of the day the value from the latest snapshot wins (later
snapshots have observed what earlier ones forecast).

Mobility impact (a rule of thumb, documented rather than fitted): points for
rain (1 per rainy hour, +10 past 5 mm), wind (+15 for gusts ≥ 50 km/h, +30 ≥ 70),
cold (+10 below 0 °C) and heat (+10 above 30 °C); level ``low`` < 15 ≤ ``moderate`` < 35
≤ ``high``, stored as ``mobility_impact_level``, and its reasons as messages
(``mobility_impact_reasons``: key and numbers, :mod:`entrepot.city.messages`). The French
words beside them (``mobility_impact``: ``faible``, ``pluie 3 h (2.1 mm)``) are kept for
the API's clients (ADR 0037); the dominant weather is its WMO code (``wmo_kind``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd

from entrepot.city.days import day_hours, paris
from entrepot.city.errors import RawFormatError
from entrepot.city.faults import temperature_notes
from entrepot.city.lake import DayRead, RawFile
from entrepot.city.messages import (
    DAILY_SUMMARY,
    REASON_FROST,
    REASON_GUSTS,
    REASON_HEAT,
    REASON_RAIN,
    REASON_RAIN_DAY,
    WARNING_DAILY_WEATHER,
    WARNING_RAIN_COARSE,
    WARNING_RAIN_PARTIAL,
    WARNING_RAIN_SPLIT,
    Message,
    Note,
    wmo_kind,
)
from entrepot.city.processors.common import num
from entrepot.city.readers import read_object
from entrepot.messages import N_
from entrepot.messages import Message as Said

#: The French label of each kind of weather (:data:`~entrepot.city.messages.WMO_KINDS`).
WMO_LABELS = {
    "clear": "ciel clair",
    "cloudy": "nuageux",
    "fog": "brouillard",
    "drizzle": "bruine",
    "rain": "pluie",
    "snow": "neige",
    "showers": "averses",
    "snow_showers": "averses de neige",
    "storm": "orage",
    "unknown": "inconnu",
}
#: Mobility impact levels: the code, its French word (kept for the API) and the least score.
IMPACT_LEVELS = (("high", "fort", 35), ("moderate", "modéré", 15), ("low", "faible", 0))
#: Set on a document whose sums (precipitation...) are named by the hour's start; without
#: it an Open-Meteo-shaped sum at H is over the hour before H (the provider's convention).
PRECIPITATION_HOUR = "precipitation_hour"
#: The key of a daily summary document (:mod:`entrepot.city.imports.daily_weather`): the
#: day's variables, used for a day without any hourly value.
DAILY = "daily"
#: Open-Meteo variables that are a sum over the preceding hour, and what the SYNOP import
#: says of each hour's rain (the accumulation it came from; a share across midnight).
PRECEDING_HOUR = frozenset({"precipitation", "rain", "showers", "snowfall"})
RAIN_NOTES = frozenset({"precipitation_accumulation_h", "precipitation_split"})
OWM_VARIABLES = {
    ("main", "temp"): "temperature_2m",
    ("main", "humidity"): "relative_humidity_2m",
    ("wind", "speed"): "wind_speed_10m",
    ("wind", "gust"): "wind_gusts_10m",
    ("clouds", "all"): "cloud_cover",
    ("rain", "1h"): "precipitation",
}


def wmo_label(code: int) -> str:
    """French label of a WMO weather code."""
    return WMO_LABELS[wmo_kind(code)]


def impact_level(score: int) -> tuple[str, str]:
    """The code and French word of a mobility impact score's level."""
    return next((code, word) for code, word, least in IMPACT_LEVELS if score >= least)


def _open_meteo(doc: dict[str, Any], file: RawFile) -> Iterator[tuple[datetime, str, float]]:
    hourly = doc["hourly"]
    offset = timedelta(seconds=int(doc.get("utc_offset_seconds", 0)))
    times = [datetime.fromisoformat(t).replace(tzinfo=UTC) - offset for t in hourly["time"]]
    # sums named by the end of their hour (the provider's way) go to the hour's start
    earlier = timedelta(0) if doc.get(PRECIPITATION_HOUR) == "start" else timedelta(hours=1)
    for name, values in hourly.items():
        if name == "time":
            continue
        shift = earlier if name in PRECEDING_HOUR | RAIN_NOTES else timedelta(0)
        if len(values) != len(times):
            raise RawFormatError(
                f"hourly.{name} has {len(values)} values for {len(times)} times",
                key=file.key,
                said=Said(
                    N_("error.city.hourly_lengths"),
                    {
                        "file": file.key,
                        "variable": name,
                        "values": len(values),
                        "times": len(times),
                    },
                ),
            )
        for ts, value in zip(times, values, strict=True):
            if value is not None:
                yield ts - shift, name, float(value)


def _owm(doc: dict[str, Any], file: RawFile) -> Iterator[tuple[datetime, str, float]]:
    ts = datetime.fromtimestamp(int(doc["dt"]), UTC).replace(minute=0, second=0)
    for (group, field), name in OWM_VARIABLES.items():
        value = doc.get(group, {}).get(field)
        if value is not None:
            yield ts, name, float(value) - (273.15 if field == "temp" and value > 200 else 0)
    if doc.get("weather"):
        yield ts, "weather_code", float(doc["weather"][0].get("id", 0) // 100 * 10)


def _daily(read: DayRead) -> dict[str, Any] | None:
    # the day's daily summary: the latest imported one of this very day
    found = []
    for file in read.files:
        doc = read_object(file.key, file.data)
        daily = doc.get(DAILY) if isinstance(doc, dict) else None
        if isinstance(daily, dict) and daily.get("date") == read.day.isoformat():
            found.append((file.taken_at, file.key, doc))
    return max(found, key=lambda f: (f[0], f[1]))[2] if found else None


def normalise(read: DayRead) -> pd.DataFrame:
    """Long table ``ts_utc, variable, value, fetched`` of every hourly snapshot of the day
    (daily summaries are read apart)."""
    rows: list[tuple[datetime, str, float, datetime]] = []
    for file in read.files:
        doc = read_object(file.key, file.data)
        if isinstance(doc, dict) and isinstance(doc.get(DAILY), dict):
            continue
        if isinstance(doc, dict) and isinstance(doc.get("hourly"), dict):
            values = _open_meteo(doc, file)
        elif isinstance(doc, dict) and "main" in doc and "dt" in doc:
            values = _owm(doc, file)
        else:
            raise RawFormatError(
                "not an Open-Meteo or OpenWeatherMap document",
                key=file.key,
                said=Said(N_("error.city.weather_unknown_document"), {"file": file.key}),
            )
        fetched = file.taken_at
        rows.extend((ts, name, value, fetched) for ts, name, value in values)
    return pd.DataFrame(rows, columns=["ts_utc", "variable", "value", "fetched"])


def weather_metrics(read: DayRead) -> dict[str, Any]:
    """The weather metrics of ``read.day``."""
    return weather_day(read)[0]


def _rain_notes(wide: pd.DataFrame, day: date, hours: int) -> list[str]:
    # what the day's precipitation total is worth: hours missing, coarse or shared sums
    def column(name: str) -> pd.Series:
        return wide[name].dropna() if name in wide else pd.Series(dtype=float)

    rain, accumulation, split = (
        column(n) for n in ("precipitation", "precipitation_accumulation_h", "precipitation_split")
    )
    notes: list[str] = []
    if 0 < len(rain) < hours:
        notes.append(
            Note(
                f"precipitation on {day} known for {len(rain)} of its {hours} hours; "
                "the day's total leaves the others out",
                WARNING_RAIN_PARTIAL,
                known=len(rain),
                hours=hours,
            )
        )
    coarse = int((accumulation > 3).sum())
    if coarse:
        notes.append(
            Note(
                f"precipitation on {day}: {coarse} hour(s) known only from a 6 to 24-hour "
                "accumulation, shared evenly over its unknown hours",
                WARNING_RAIN_COARSE,
                count=coarse,
            )
        )
    if (split > 0).any():
        notes.append(
            Note(
                f"precipitation on {day} is an estimate: an accumulation over several hours "
                "across midnight was shared evenly between the two days",
                WARNING_RAIN_SPLIT,
            )
        )
    return notes


def weather_day(read: DayRead) -> tuple[dict[str, Any], list[str]]:
    """The weather metrics of ``read.day``, and what their precipitation is worth."""
    hours = day_hours(read.day)
    first, last = hours[0].start.astimezone(UTC), hours[-1].end.astimezone(UTC)
    long = normalise(read)
    long = long[(long["ts_utc"] >= first) & (long["ts_utc"] < last)]
    if long.empty:
        summary = _daily(read)
        if summary is not None:
            return daily_day(summary, read.day)
    latest = long.sort_values("fetched").drop_duplicates(["ts_utc", "variable"], keep="last")
    wide = latest.pivot(index="ts_utc", columns="variable", values="value").sort_index()
    col = {
        name: wide[name] if name in wide else pd.Series(dtype=float)
        for name in (
            "temperature_2m",
            "precipitation",
            "wind_speed_10m",
            "wind_gusts_10m",
            "relative_humidity_2m",
            "cloud_cover",
            "weather_code",
        )
    }
    temp, rain, gusts = col["temperature_2m"], col["precipitation"], col["wind_gusts_10m"]
    rainy_hours = int((rain >= 0.1).sum())
    codes = col["weather_code"].dropna().astype(int)
    dominant = int(codes.mode().min()) if not codes.empty else None
    score, reasons = _impact(rainy_hours, float(rain.sum()), gusts.max(), temp.min(), temp.max())
    metrics = {
        "hours_covered": len(wide),
        "temperature": {
            "min": num(temp.min(), 1),
            "max": num(temp.max(), 1),
            "mean": num(temp.mean(), 1),
        },
        "precipitation_mm": num(rain.sum(), 1),
        "rainy_hours": rainy_hours,
        "wind_max_kmh": num(col["wind_speed_10m"].max(), 1),
        "gust_max_kmh": num(gusts.max(), 1),
        "humidity_mean": num(col["relative_humidity_2m"].mean(), 1),
        "cloud_cover_mean": num(col["cloud_cover"].mean(), 1),
        "dominant_weather": None
        if dominant is None
        else {"code": dominant, "label": wmo_label(dominant)},
        **_impact_fields(score, reasons),
        "hourly": [
            {
                "hour": ts.astimezone(paris()).hour,
                "time_utc": ts.strftime("%Y-%m-%dT%H:%MZ"),
                "temperature": num(temp.get(ts), 1),
                "precipitation": num(rain.get(ts), 1),
                "wind": num(col["wind_speed_10m"].get(ts), 1),
            }
            for ts in wide.index
        ],
    }
    return metrics, [*_rain_notes(wide, read.day, len(hours)), *temperature_notes(temp, read.day)]


def daily_day(summary: dict[str, Any], day: date) -> tuple[dict[str, Any], list[str]]:
    """The weather metrics of ``day`` from its daily summary (no hourly value that day):
    the day's precipitation total and its min / max / mean temperature; what hours would
    tell (rainy hours, wind, gusts, humidity, clouds, the dominant weather) is unknown."""
    values = summary[DAILY]
    tmin, tmax = _value(values, "temperature_min"), _value(values, "temperature_max")
    mean = _value(values, "temperature_mean")
    rain = _value(values, "precipitation_sum")
    score, reasons = _impact(0, rain if rain == rain else 0.0, float("nan"), tmin, tmax)
    if rain == rain and rain >= 0.1:
        reasons.insert(0, Message(REASON_RAIN_DAY, {"mm": round(rain, 1)}))
    source = daily_source(summary)
    note = Message(DAILY_SUMMARY, {"source": source})
    metrics = {
        "hours_covered": 0,
        "temperature": {"min": num(tmin, 1), "max": num(tmax, 1), "mean": num(mean, 1)},
        "precipitation_mm": num(rain, 1),
        "rainy_hours": None,
        "wind_max_kmh": None,
        "gust_max_kmh": None,
        "humidity_mean": None,
        "cloud_cover_mean": None,
        "dominant_weather": None,
        **_impact_fields(score, reasons),
        "hourly": [],
        "resolution": "daily",
        "daily_source": {
            "code": summary.get("source"),
            "station": summary.get("station") or None,
            "name": summary.get("station_name") or None,
            "message": note.to_json(),
        },
    }
    warning = Note(
        f"weather on {day} from a daily summary ({source}): no hourly weather that day; "
        "the precipitation total and the min / max / mean temperature are the day's, "
        "the hourly figures are unknown",
        WARNING_DAILY_WEATHER,
        source=source,
    )
    return metrics, [warning]


def daily_source(summary: dict[str, Any]) -> str:
    """A daily summary's source for people: ``NOAA GHCN-Daily FR000007150 (PARIS …)``."""
    provider = {"noaa-ghcn-daily": "NOAA GHCN-Daily"}.get(
        str(summary.get("source")), "tableau journalier"
    )
    station, name = summary.get("station") or "", summary.get("station_name") or ""
    return " ".join(p for p in (provider, station, f"({name})" if name else "") if p)


def _value(values: dict[str, Any], name: str) -> float:
    value = values.get(name)
    return float(value) if isinstance(value, int | float) else float("nan")


#: The French sentence of each reason, kept for the API's clients (ADR 0037).
_FRENCH = {
    REASON_RAIN: "pluie {hours} h ({mm:.1f} mm)",
    REASON_RAIN_DAY: "pluie ({mm:.1f} mm sur la journée)",
    REASON_GUSTS: "rafales {gust:.0f} km/h",
    REASON_FROST: "gel ({celsius:.1f} °C)",
    REASON_HEAT: "chaleur ({celsius:.1f} °C)",
}


def _french(reason: Message) -> str:
    return _FRENCH[reason.key].format(**reason.params)


def _impact(
    rainy_hours: int, rain_mm: float, gust: float, tmin: float, tmax: float
) -> tuple[int, list[Message]]:
    score, reasons = 0, []
    if rainy_hours:
        score += rainy_hours
        reasons.append(Message(REASON_RAIN, {"hours": rainy_hours, "mm": round(rain_mm, 1)}))
    if rain_mm > 5:
        score += 10
    if gust == gust and gust >= 50:
        score += 30 if gust >= 70 else 15
        reasons.append(Message(REASON_GUSTS, {"gust": round(float(gust))}))
    if tmin == tmin and tmin < 0:
        score += 10
        reasons.append(Message(REASON_FROST, {"celsius": round(float(tmin), 1)}))
    if tmax == tmax and tmax > 30:
        score += 10
        reasons.append(Message(REASON_HEAT, {"celsius": round(float(tmax), 1)}))
    return score, reasons


def _impact_fields(score: int, reasons: list[Message]) -> dict[str, Any]:
    """A day's mobility impact as the document stores it: the French words the JSON API
    has always given, and the level and reasons as codes and messages (ADR 0037)."""
    level, level_word = impact_level(score)
    return {
        "mobility_impact": {
            "score": score,
            "level": level_word,
            "reasons": [_french(reason) for reason in reasons],
        },
        "mobility_impact_level": level,
        "mobility_impact_reasons": [reason.to_json() for reason in reasons],
    }
