"""Weather files -> the weather partitions, each value in the hour it describes.

Open-Meteo responses are cut into one document per hour (same shape, the hour's slice);
an OpenWeatherMap current-weather document goes to the hour of its ``dt``; Météo-France
SYNOP observations (UTC, 3-hourly, Kelvin, m/s) become Open-Meteo-shaped hours in °C and
km/h. Precipitation: ``rr1`` is the hour ending at the observation; the rest of ``rr3``
is spread evenly over the two hours before it (so a day's total is exact); ``-0.1``
(traces) counts as 0.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from entrepot.city.errors import RawFormatError
from entrepot.city.imports.csvrows import BadValues, rows, utc_instant
from entrepot.city.imports.records import Placed, Series

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
                f"{name}: hourly.{variable} does not have one value per time", key=name
            )
    placed = []
    for i, stamp in enumerate(times):
        try:
            at = datetime.fromisoformat(stamp).replace(tzinfo=UTC) - offset
        except (TypeError, ValueError):
            raise RawFormatError(
                f"{name}: hourly.time[{i}] is not a time: {stamp!r}", key=name
            ) from None
        piece = {k: v for k, v in doc.items() if k not in ("hourly", "daily", "current")}
        piece["hourly"] = {k: [v[i]] for k, v in hourly.items()}
        placed.append(Placed("weather", at, "open-meteo", piece))
    return Series(placed, len(times))


def openweathermap(doc: dict[str, Any], name: str) -> Series:
    """A current-weather document, at the hour of its ``dt``."""
    try:
        at = datetime.fromtimestamp(int(doc["dt"]), UTC)
    except (TypeError, ValueError):
        raise RawFormatError(f"{name}: 'dt' is not a Unix time", key=name) from None
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
        values = {c: bad.number(line, row, c) for c in (*SYNOP_VARIABLES, "rr1", "rr3")}
        parsed.append((row.get("numer_sta", ""), at, values))
    warnings = bad.check(len(parsed) + bad.count)
    stations = Counter(station for station, _, _ in parsed)
    if not stations:
        raise RawFormatError(f"{name}: no SYNOP observation", key=name)
    station = stations.most_common(1)[0][0]
    if len(stations) > 1:
        warnings.append(
            f"{name}: {len(stations)} stations; only station {station} "
            f"({stations[station]} observations) imported"
        )
    hours: dict[datetime, dict[str, float]] = defaultdict(dict)
    for _, at, values in (p for p in parsed if p[0] == station):
        for column, (variable, minus, times) in SYNOP_VARIABLES.items():
            value = values[column]
            if value is not None:
                hours[at][variable] = round((value - minus) * times, 2)
        for ago, amount in _rain(values["rr1"], values["rr3"]):
            hours[at - timedelta(hours=ago)]["precipitation"] = amount
    placed = [
        Placed("weather", at, "synop", _hour_document(at, variables))
        for at, variables in sorted(hours.items())
    ]
    return Series(placed, len(parsed), warnings)


def _rain(rr1: float | None, rr3: float | None) -> list[tuple[int, float]]:
    # (hours before the observation, mm) for the hours the observation covers
    last = None if rr1 is None else max(rr1, 0.0)
    total = None if rr3 is None else max(rr3, 0.0)
    if total is None:
        return [] if last is None else [(0, last)]
    if last is None:
        return [(ago, round(total / 3, 3)) for ago in range(3)]
    rest = max(total - last, 0.0) / 2
    return [(0, last), (1, round(rest, 3)), (2, round(rest, 3))]


def _hour_document(at: datetime, variables: dict[str, float]) -> dict[str, Any]:
    time = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
    return {
        "source": "meteo-france-synop",
        "utc_offset_seconds": 0,
        "hourly": {"time": [time], **{k: [v] for k, v in sorted(variables.items())}},
    }
