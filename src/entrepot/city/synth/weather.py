"""Hourly weather snapshots in the Open-Meteo ``/v1/forecast`` shape (``timezone=GMT``).

Each snapshot holds 168 hourly values from 00:00 UTC of its day, as the API
does; past hours are the "truth", later hours a forecast that drifts with lead
time. Truth: ``T = Tmean(season) + A sin(2π(h - 9)/24) + AR(1)``, rain from a
two-state Markov chain (P(rain|rain) 0.7, P(rain|dry) 0.08) with Gamma(0.7, 1.5 mm)
amounts, wind Weibull(k=2, scale 15 km/h), WMO codes from rain and cloud.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from entrepot.city.days import LocalHour
from entrepot.city.kinds import OPEN_METEO_HOURLY
from entrepot.city.processors.weather import PRECIPITATION_HOUR
from entrepot.city.synth.common import rng

HORIZON_HOURS = 168
VARIABLES = OPEN_METEO_HOURLY
UNITS = {
    "time": "iso8601",
    "temperature_2m": "°C",
    "relative_humidity_2m": "%",
    "precipitation": "mm",
    "rain": "mm",
    "weather_code": "wmo code",
    "cloud_cover": "%",
    "wind_speed_10m": "km/h",
    "wind_gusts_10m": "km/h",
}


@dataclass(frozen=True)
class WeatherTruth:
    """Hourly UTC series from ``origin`` (00:00 UTC)."""

    origin: datetime
    values: dict[str, npt.NDArray[np.float64]]


def make_truth(start: date, days: int, seed: int) -> WeatherTruth:
    """The true hourly weather from ``start - 1 day`` for ``days + 9`` days."""
    origin = datetime(start.year, start.month, start.day, tzinfo=UTC) - timedelta(days=1)
    n = (days + 9) * 24
    g = rng(seed, "weather", start.toordinal())
    t = [origin + timedelta(hours=i) for i in range(n)]
    doy = np.array([x.timetuple().tm_yday for x in t], dtype=np.float64)
    hour = np.array([x.hour + 1 for x in t], dtype=np.float64)  # ~ Paris local hour
    tmean = 12.5 - 8.0 * np.cos(2 * np.pi * (doy - 15) / 365)
    amp = 4.0 + 1.5 * np.sin(2 * np.pi * (doy - 105) / 365)
    noise = np.zeros(n)
    shocks = g.normal(0, 0.6, n)
    for i in range(1, n):
        noise[i] = 0.9 * noise[i - 1] + shocks[i]
    temp = tmean + amp * np.sin(2 * np.pi * (hour - 9) / 24) + noise
    raining = np.zeros(n, dtype=bool)
    draws = g.random(n)
    for i in range(1, n):
        raining[i] = draws[i] < (0.7 if raining[i - 1] else 0.08)
    precip = np.where(raining, np.round(g.gamma(0.7, 1.5, n), 1), 0.0)
    cloud = np.clip(np.where(raining, 85, 40) + g.normal(0, 20, n), 0, 100)
    wind = 15 * g.weibull(2.0, n)
    code = np.select(
        [precip >= 4, precip >= 1, precip > 0, cloud > 70, cloud > 30], [65, 63, 61, 3, 2], 0
    )
    values = {
        "temperature_2m": np.round(temp, 1),
        "relative_humidity_2m": np.round(np.clip(75 - 2 * (temp - tmean) + 15 * raining, 20, 100)),
        "precipitation": precip,
        "rain": precip,
        "weather_code": code.astype(np.float64),
        "cloud_cover": np.round(cloud),
        "wind_speed_10m": np.round(wind, 1),
        "wind_gusts_10m": np.round(wind * (1.5 + 0.3 * g.random(n)), 1),
    }
    return WeatherTruth(origin, values)


def snapshot(truth: WeatherTruth, hour: LocalHour, seed: int) -> dict[str, Any]:
    """The API response fetched at the start of ``hour``."""
    now = hour.start.astimezone(UTC)
    day0 = now.replace(hour=0, minute=0, second=0, microsecond=0)
    first = int((day0 - truth.origin).total_seconds() // 3600)
    lead = np.arange(HORIZON_HOURS) - (now.hour)
    g = rng(seed, "weather", int(now.timestamp()) // 3600)
    drift = np.where(lead > 0, g.normal(0, 1, HORIZON_HOURS) * 0.05 * np.maximum(lead, 0), 0.0)
    hourly: dict[str, list[Any]] = {
        "time": [
            (day0 + timedelta(hours=i)).strftime("%Y-%m-%dT%H:%M") for i in range(HORIZON_HOURS)
        ]
    }
    for name in VARIABLES:
        series = truth.values[name][first : first + HORIZON_HOURS]
        if name == "temperature_2m":
            series = np.round(series + drift, 1)
        if name == "weather_code":
            hourly[name] = [int(v) for v in series]
        else:
            hourly[name] = series.tolist()
    return {
        "latitude": 48.86,
        "longitude": 2.3399997,
        "generationtime_ms": 0.0629425048828125,
        "utc_offset_seconds": 0,
        "timezone": "GMT",
        "timezone_abbreviation": "GMT",
        "elevation": 43.0,
        "hourly_units": UNITS,
        PRECIPITATION_HOUR: "start",  # the truth's hour i is the hour starting at time[i]
        "hourly": hourly,
    }
