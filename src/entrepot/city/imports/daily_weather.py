"""Daily weather summaries -> one ``daily`` document per day in the weather partitions.

Daily tables are read by their columns' names (kind ``weather-daily``, :data:`ROLES`):
NOAA's GHCN-Daily CSV from NCEI's "daily summaries" (``"STATION","NAME","DATE","PRCP",
"TMAX","TMIN","TAVG"``; ``*_ATTRIBUTES`` columns ignored), a cleaned daily table as
meteostat exports it (``date,tavg,tmin,tmax,prcp,…``), a
``DATE,MAX_TEMPERATURE_C,MIN_TEMPERATURE_C,…,PRECIP_TOTAL_DAY_MM`` table and a French one
(``date,temp_moyenne,temp_min,temp_max,precipitations``). NOAA's summaries come in metric
(°C to the tenth, mm) or standard units (whole °F, inches to the hundredth): their content
says which, and standard units are converted to °C and mm; a file whose content says both
or neither is refused (ADR 0065). The other tables are in °C and mm: a temperature above
60 there is refused. When a GHCN file holds several stations the most frequent one is
imported (warned).

Each day's document is placed at noon (Paris) of its ``DATE``, in that day's partition:
GHCN's day is the station's *observation day*, which the product reads as the Paris
calendar day (docs/city.md, "Weather", says what that means). The processor uses it only
for a day without any hourly value (:mod:`entrepot.city.processors.weather`).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any

from entrepot.city.days import paris
from entrepot.city.errors import RawFormatError
from entrepot.city.imports import notes
from entrepot.city.imports.csvrows import BadValues, rows
from entrepot.city.imports.records import Placed, Series
from entrepot.city.processors.weather import DAILY
from entrepot.messages import N_, Message

#: A daily table's column roles -> the names that hold them (lower-cased, accents kept
#: out): NOAA GHCN-Daily, meteostat, "DATE,MAX_TEMPERATURE_C,…,PRECIP_TOTAL_DAY_MM" tables
#: and French ones (``date,temp_moyenne,temp_min,temp_max,precipitations``).
ROLES: dict[str, tuple[str, ...]] = {
    "date": ("date", "jour", "day"),
    "temperature_max": ("tmax", "max_temperature_c", "temp_max", "temperature_max", "tx"),
    "temperature_min": ("tmin", "min_temperature_c", "temp_min", "temperature_min", "tn"),
    "temperature_mean": (
        "tavg",
        "temp_moyenne",
        "temperature_moyenne",
        "temp_mean",
        "temperature_mean",
        "tmoy",
    ),
    "precipitation_sum": (
        "prcp",
        "precip_total_day_mm",
        "precipitations",
        "precipitation",
        "precipitation_mm",
        "pluie",
        "rr",
    ),
}
#: NOAA's own column names: its "daily summaries" come in metric or standard units.
NOAA_COLUMNS = frozenset({"TMAX", "TMIN", "TAVG", "PRCP"})
GHCN = "noaa-ghcn-daily"
METEOSTAT = "daily-table"
#: No air temperature in °C reaches this; a °F download does.
IMPLAUSIBLE_CELSIUS = 60.0


def _plain(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name.strip().lower())
    return "".join(c for c in folded if not unicodedata.combining(c))


def daily_columns(columns: Iterable[str]) -> dict[str, str] | None:
    """The column holding each role of a daily weather table, by its name (any case,
    accents or not), or None when ``columns`` are not one: a date and at least two of
    the daily values."""
    found = daily_roles(columns)
    if "date" not in found or len(found) < 3:
        return None
    return found


def daily_roles(columns: Iterable[str]) -> dict[str, str]:
    """Each role of :data:`ROLES` a column of ``columns`` holds, by its name (any case,
    accents or not), however few: what a refusal says a near-daily table lacks."""
    by_plain: dict[str, str] = {}
    for column in columns:
        by_plain.setdefault(_plain(column), column)
    return {
        role: next(by_plain[a] for a in aliases if a in by_plain)
        for role, aliases in ROLES.items()
        if any(a in by_plain for a in aliases)
    }


def daily_weather(text: str, sep: str, name: str) -> Series:
    """A daily weather table (GHCN-Daily, meteostat-like, French): one document per day."""
    bad = BadValues(name)
    parsed: list[tuple[str, str, date, dict[str, float]]] = []
    texts: dict[str, list[str]] = {}
    header = next(csv.reader(io.StringIO(text.split("\n", 1)[0]), delimiter=sep), [])
    roles = daily_columns(c.strip() for c in header)
    if roles is None:
        raise RawFormatError(
            f"{name}: no date and daily values in its header",
            key=name,
            said=Message(N_("error.city.daily_no_header"), {"file": name}),
        )
    noaa = not NOAA_COLUMNS.isdisjoint(roles.values())
    source = GHCN if noaa else METEOSTAT
    for line, row in rows(text, sep):
        stamp = row.get(roles["date"], "")
        try:
            day = date.fromisoformat(stamp[:10])
        except ValueError:
            bad.mark(line, roles["date"], stamp)
            continue
        values = {}
        for variable, column in roles.items():
            if variable == "date":
                continue
            value = bad.number(line, row, column)
            if value is not None:
                values[variable] = value
                texts.setdefault(variable, []).append(row.get(column, "").strip())
        parsed.append((row.get("STATION", ""), row.get("NAME", ""), day, values))
    warnings = bad.check(len(parsed) + bad.count)
    stations = Counter(station for station, _, _, _ in parsed)
    if not stations:
        raise RawFormatError(
            f"{name}: no day with a valid date",
            key=name,
            said=Message(N_("error.city.daily_no_day"), {"file": name}),
        )
    station = stations.most_common(1)[0][0]
    if len(stations) > 1:
        warnings.append(notes.stations(name, len(stations), station, stations[station], daily=True))
    kept = [(label, day, values) for sta, label, day, values in parsed if sta == station]
    if noaa and _standard_units(kept, texts, name):
        kept = [(label, day, _metric(values)) for label, day, values in kept]
    else:
        _check_celsius(kept, name)
    placed = [
        Placed("weather", _noon(day), "daily", _document(source, station, label, day, values))
        for label, day, values in sorted(kept, key=lambda k: k[1])
    ]
    return Series(placed, len(parsed), warnings)


def _temperatures(kept: list[tuple[str, date, dict[str, float]]]) -> list[float]:
    return [v for _, _, values in kept for k, v in values.items() if k != "precipitation_sum"]


def _standard_units(
    kept: list[tuple[str, date, dict[str, float]]], texts: dict[str, list[str]], name: str
) -> bool:
    """Whether NOAA's daily summaries were downloaded in standard units (°F, inches), as
    their content says: °F above any °C (over 60) or inches to the hundredth (``0.12``)
    against °C to the tenth (``12.3``). Raises when it says both, or neither."""
    said_f = any(v > IMPLAUSIBLE_CELSIUS for v in _temperatures(kept)) or any(
        "." in t and len(t.split(".", 1)[1]) >= 2 for t in texts.get("precipitation_sum", [])
    )
    said_c = any("." in t for k, ts in texts.items() if k != "precipitation_sum" for t in ts)
    if said_f != said_c:
        return said_f
    hottest = max(_temperatures(kept), default=None)
    shown = "" if hottest is None else f" (a temperature of {hottest:g})"
    raise RawFormatError(
        f"{name}: its units are not clear{shown}: not in °C for sure, nor in °F and inches "
        "(a download in standard units?)",
        key=name,
        hint="download the daily summaries again with metric units (°C, mm)",
        said=Message(N_("error.city.daily_units_unclear"), {"file": name}),
    )


def _metric(values: dict[str, float]) -> dict[str, float]:
    return {
        k: round(v * 25.4, 1) if k == "precipitation_sum" else round((v - 32) * 5 / 9, 1)
        for k, v in values.items()
    }


def _check_celsius(kept: list[tuple[str, date, dict[str, float]]], name: str) -> None:
    hottest = max(_temperatures(kept), default=None)
    if hottest is not None and hottest > IMPLAUSIBLE_CELSIUS:
        raise RawFormatError(
            f"{name}: a temperature of {hottest:g} is not in °C (a download in standard "
            "units, °F and inches?)",
            key=name,
            hint="download the table again with temperatures in °C and rain in mm",
            said=Message(
                N_("error.city.daily_not_celsius"), {"file": name, "temperature": f"{hottest:g}"}
            ),
        )


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=paris())


def _document(
    source: str, station: str, label: str, day: date, values: dict[str, float]
) -> dict[str, Any]:
    return {
        "source": source,
        "station": station,
        "station_name": label,
        DAILY: {"date": day.isoformat(), **values},
    }
