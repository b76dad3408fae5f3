"""Daily weather summaries -> one ``daily`` document per day in the weather partitions.

Two tables are read (kind ``weather-daily``): NOAA's GHCN-Daily CSV from NCEI's "daily
summaries" downloaded in **metric** units (``"STATION","NAME","DATE","PRCP","TMAX","TMIN",
"TAVG"``, PRCP in mm, temperatures in °C; ``*_ATTRIBUTES`` columns ignored) and a cleaned
daily table as meteostat exports it (``date,tavg,tmin,tmax,prcp,…``, mm and °C). A
temperature above 60 °C means the download was in standard units (°F, inches): the file is
refused. When a GHCN file holds several stations the most frequent one is imported (warned).

Each day's document is placed at noon (Paris) of its ``DATE``, in that day's partition:
GHCN's day is the station's *observation day*, which the product reads as the Paris
calendar day (docs/city.md, "Weather", says what that means). The processor uses it only
for a day without any hourly value (:mod:`entrepot.city.processors.weather`).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time
from typing import Any

from entrepot.city.days import paris
from entrepot.city.errors import RawFormatError
from entrepot.city.imports import notes
from entrepot.city.imports.csvrows import BadValues, rows
from entrepot.city.imports.records import Placed, Series
from entrepot.city.processors.weather import DAILY

#: Daily variable -> (GHCN column, meteostat column).
COLUMNS = {
    "precipitation_sum": ("PRCP", "prcp"),
    "temperature_max": ("TMAX", "tmax"),
    "temperature_min": ("TMIN", "tmin"),
    "temperature_mean": ("TAVG", "tavg"),
}
GHCN = "noaa-ghcn-daily"
METEOSTAT = "daily-table"
#: No air temperature in °C reaches this; a °F download does.
IMPLAUSIBLE_CELSIUS = 60.0


def daily_weather(text: str, sep: str, name: str) -> Series:
    """A GHCN-Daily or meteostat-like daily table: one document per day."""
    bad = BadValues(name)
    parsed: list[tuple[str, str, date, dict[str, float]]] = []
    source = METEOSTAT
    for line, row in rows(text, sep):
        ghcn = "DATE" in row
        source = GHCN if ghcn else METEOSTAT
        stamp = row.get("DATE" if ghcn else "date", "")
        try:
            day = date.fromisoformat(stamp[:10])
        except ValueError:
            bad.mark(line, "DATE" if ghcn else "date", stamp)
            continue
        values = {}
        for variable, columns in COLUMNS.items():
            value = bad.number(line, row, columns[0 if ghcn else 1])
            if value is not None:
                values[variable] = value
        parsed.append((row.get("STATION", ""), row.get("NAME", ""), day, values))
    warnings = bad.check(len(parsed) + bad.count)
    stations = Counter(station for station, _, _, _ in parsed)
    if not stations:
        raise RawFormatError(f"{name}: no day with a valid date", key=name)
    station = stations.most_common(1)[0][0]
    if len(stations) > 1:
        warnings.append(notes.stations(name, len(stations), station, stations[station], daily=True))
    kept = [(label, day, values) for sta, label, day, values in parsed if sta == station]
    _check_units(kept, name)
    placed = [
        Placed("weather", _noon(day), "daily", _document(source, station, label, day, values))
        for label, day, values in sorted(kept, key=lambda k: k[1])
    ]
    return Series(placed, len(parsed), warnings)


def _check_units(kept: list[tuple[str, date, dict[str, float]]], name: str) -> None:
    hottest = max(
        (v for _, _, values in kept for k, v in values.items() if k != "precipitation_sum"),
        default=None,
    )
    if hottest is not None and hottest > IMPLAUSIBLE_CELSIUS:
        raise RawFormatError(
            f"{name}: a temperature of {hottest:g} is not in °C (a download in standard "
            "units, °F and inches?)",
            key=name,
            hint="download the daily summaries again with metric units (°C, mm)",
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
