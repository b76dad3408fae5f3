"""Weather files -> the weather partitions, each value in the hour it describes.

Open-Meteo responses are cut into one document per hour (same shape, the hour's slice);
an OpenWeatherMap current-weather document goes to the hour of its ``dt``; Météo-France
SYNOP observations (UTC, 3-hourly, Kelvin, m/s) become Open-Meteo-shaped hours in °C and
km/h. Precipitation goes to the hour it fell in, named by its start: Open-Meteo's
``precipitation`` at H (a sum over the preceding hour) to the hour starting at H - 1 h,
SYNOP's ``rrN`` (over the N hours ending at the observation) as
:mod:`entrepot.city.imports.synop_rain` says; such documents carry
``"precipitation_hour": "start"``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from entrepot.city.errors import RawFormatError
from entrepot.city.imports import notes
from entrepot.city.imports.csvrows import BadValues, rows, utc_instant
from entrepot.city.imports.records import Placed, Series
from entrepot.city.imports.synop_rain import ACCUMULATIONS, hourly_rain
from entrepot.city.processors.weather import PRECEDING_HOUR, PRECIPITATION_HOUR
from entrepot.messages import N_, Message

RAIN_COLUMNS = tuple(column for column, _ in ACCUMULATIONS)
KELVIN = 273.15
MS_TO_KMH = 3.6
#: SYNOP column -> (Open-Meteo variable, subtract, multiply): Kelvin to °C, m/s to km/h.
SYNOP_VARIABLES = {
    "t": ("temperature_2m", KELVIN, 1.0),
    "u": ("relative_humidity_2m", 0.0, 1.0),
    "ff": ("wind_speed_10m", 0.0, MS_TO_KMH),
    "raf10": ("wind_gusts_10m", 0.0, MS_TO_KMH),
    "n": ("cloud_cover", 0.0, 1.0),
}


def open_meteo(doc: dict[str, Any], name: str) -> Series:
    """One document per hour of an Open-Meteo response."""
    hourly = doc["hourly"]
    times = hourly["time"]
    offset = timedelta(seconds=int(doc.get("utc_offset_seconds", 0)))
    for variable, values in hourly.items():
        if not isinstance(values, list) or len(values) != len(times):
            raise RawFormatError(
                f"{name}: hourly.{variable} does not have one value per time",
                key=name,
                said=Message(
                    N_("error.city.hourly_one_per_time"), {"file": name, "variable": variable}
                ),
            )
    starts: dict[datetime, dict[str, Any]] = defaultdict(dict)
    for i, stamp in enumerate(times):
        try:
            at = datetime.fromisoformat(stamp).replace(tzinfo=UTC) - offset
        except (TypeError, ValueError):
            raise RawFormatError(
                f"{name}: hourly.time[{i}] is not a time: {stamp!r}",
                key=name,
                said=Message(
                    N_("error.city.hourly_not_a_time"),
                    {"file": name, "index": i, "found": str(stamp)[:100]},
                ),
            ) from None
        starts[at]  # every time has its hour, even one left with its sums alone
        for variable, values in hourly.items():
            if variable == "time":
                continue
            # a sum over the preceding hour belongs to the hour that starts an hour earlier
            hour = at - timedelta(hours=1) if variable in PRECEDING_HOUR else at
            starts[hour][variable] = values[i]
    head = {k: v for k, v in doc.items() if k not in ("hourly", "daily", "current")}
    placed = []
    for at, variables in sorted(starts.items()):
        stamp = (at + offset).strftime("%Y-%m-%dT%H:%M")
        piece = {**head, PRECIPITATION_HOUR: "start"}
        piece["hourly"] = {"time": [stamp], **{k: [v] for k, v in variables.items()}}
        placed.append(Placed("weather", at, "open-meteo", piece))
    return Series(placed, len(times))


def openweathermap(doc: dict[str, Any], name: str) -> Series:
    """A current-weather document, at the hour of its ``dt``."""
    try:
        at = datetime.fromtimestamp(int(doc["dt"]), UTC)
    except (TypeError, ValueError):
        raise RawFormatError(
            f"{name}: 'dt' is not a Unix time",
            key=name,
            said=Message(N_("error.city.dt_not_unix"), {"file": name}),
        ) from None
    return Series([Placed("weather", at, "openweathermap", doc)], 1)


def synop(text: str, sep: str, name: str) -> Series:
    """Météo-France SYNOP rows (the most frequent station when several are present)."""
    bad = BadValues(name)
    parsed: list[tuple[str, datetime, dict[str, float | None]]] = []
    for line, row in rows(text, sep):
        try:
            at = utc_instant(row["date"])
        except (KeyError, ValueError):
            bad.mark(line, "date", row.get("date", ""))
            continue
        values = {c: bad.number(line, row, c) for c in (*SYNOP_VARIABLES, *RAIN_COLUMNS)}
        parsed.append((row.get("numer_sta", ""), at, values))
    warnings = bad.check(len(parsed) + bad.count)
    stations = Counter(station for station, _, _ in parsed)
    if not stations:
        raise RawFormatError(
            f"{name}: no SYNOP observation",
            key=name,
            said=Message(N_("error.city.no_synop"), {"file": name}),
        )
    station = stations.most_common(1)[0][0]
    if len(stations) > 1:
        warnings.append(
            notes.stations(name, len(stations), station, stations[station], daily=False)
        )
    hours: dict[datetime, dict[str, float]] = defaultdict(dict)
    observed = [(at, values) for sta, at, values in parsed if sta == station]
    repeated = len(observed) - len({at for at, _ in observed})
    if repeated:  # the same station and time again: its last row is the one kept
        warnings.append(notes.synop_repeated(name, repeated))
    for at, values in observed:
        for column, (variable, minus, times) in SYNOP_VARIABLES.items():
            value = values[column]
            if value is not None:
                hours[at][variable] = round((value - minus) * times, 2)
    for start, rain in hourly_rain(observed).items():
        hours[start].update(
            {
                "precipitation": rain.mm,
                "precipitation_accumulation_h": rain.accumulation_h,
                "precipitation_split": int(rain.split),
            }
        )
    placed = [
        Placed("weather", at, "synop", _hour_document(at, variables))
        for at, variables in sorted(hours.items())
    ]
    return Series(placed, len(parsed), warnings)


def _hour_document(at: datetime, variables: dict[str, float]) -> dict[str, Any]:
    time = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
    return {
        "source": "meteo-france-synop",
        PRECIPITATION_HOUR: "start",
        "utc_offset_seconds": 0,
        "hourly": {"time": [time], **{k: [v] for k, v in sorted(variables.items())}},
    }
