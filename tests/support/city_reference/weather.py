"""Weather metrics of a Paris day, from a Météo-France SYNOP CSV or an Open-Meteo response.

Definitions (docs/city.md, "Weather"): each hour is named by its start; instantaneous
values (temperature, wind, humidity, cloud cover, weather code) are those stamped at that
instant; an hour's rain is what fell between its start and its end (Open-Meteo's sum at H
is for the hour before H; SYNOP's ``rrN`` covers the N hours ending at the observation,
finest first, a coarser total's remainder shared evenly over its still unknown hours and
kept to 0.001 mm). ``mobility_impact.reasons`` are sentences and are not compared here.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

PARIS = "Europe/Paris"
RAIN = (("rr1", 1), ("rr3", 3), ("rr6", 6), ("rr12", 12), ("rr24", 24))
SUMS = ("precipitation", "rain", "showers", "snowfall")
#: SYNOP column -> (variable, what the value becomes)
SYNOP = {
    "t": ("temperature_2m", lambda v: v - 273.15),
    "u": ("relative_humidity_2m", lambda v: v),
    "ff": ("wind_speed_10m", lambda v: v * 3.6),
    "raf10": ("wind_gusts_10m", lambda v: v * 3.6),
    "n": ("cloud_cover", lambda v: v),
}


def synop_hours(path: Path) -> pd.DataFrame:
    """Wide table, index the hour's start (UTC), one column per variable."""
    frame = pd.read_csv(path).drop_duplicates()
    frame["date"] = pd.to_datetime(frame["date"]).dt.tz_localize("UTC")
    station = frame["numer_sta"].value_counts().index[0]
    frame = frame[frame["numer_sta"] == station].sort_values("date", kind="stable")
    wide = pd.DataFrame(index=pd.DatetimeIndex(frame["date"].unique()))
    for column, (name, convert) in SYNOP.items():
        values = pd.to_numeric(frame[column], errors="coerce")
        wide[name] = (
            pd.Series(convert(values).to_numpy(), index=frame["date"]).groupby(level=0).last()
        )
    rain: dict[pd.Timestamp, float] = {}
    for column, hours in RAIN:
        for at, total in zip(
            frame["date"], pd.to_numeric(frame[column], errors="coerce"), strict=True
        ):
            if pd.isna(total):
                continue
            window = [at - pd.Timedelta(hours=h) for h in range(1, hours + 1)]
            unknown = [s for s in window if s not in rain]
            if unknown:
                left = max(max(total, 0.0) - sum(rain[s] for s in window if s in rain), 0.0)
                for start in unknown:
                    rain[start] = round(left / len(unknown), 3)
    series = pd.Series(rain, dtype=float)
    wide = wide.reindex(wide.index.union(series.index))
    wide["precipitation"] = series
    return wide.sort_index()


def open_meteo_hours(path: Path) -> pd.DataFrame:
    """Wide table of an Open-Meteo response, index the hour's start (UTC)."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    offset = pd.Timedelta(seconds=int(doc.get("utc_offset_seconds", 0)))
    times = pd.to_datetime(doc["hourly"]["time"]).tz_localize("UTC") - offset
    columns = {}
    for name, values in doc["hourly"].items():
        if name == "time":
            continue
        shift = pd.Timedelta(hours=1) if name in SUMS else pd.Timedelta(0)
        columns[name] = pd.Series(values, index=times - shift, dtype=float)
    return pd.DataFrame(columns).sort_index()


def _r(value: Any, digits: int = 1) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), digits)


def day_metrics(wide: pd.DataFrame, day: date) -> dict[str, Any] | None:
    """The day's weather metrics (None without any value that day)."""
    local = wide.index.tz_convert(PARIS)
    today = wide[(local.date == day)].dropna(how="all")
    if today.empty:
        return None

    def col(name: str) -> pd.Series:
        return today[name].dropna() if name in today else pd.Series(dtype=float)

    temp, rain, gusts = col("temperature_2m"), col("precipitation"), col("wind_gusts_10m")
    rainy = int((rain >= 0.1).sum())
    codes = col("weather_code").astype(int)
    score = rainy + (10 if rain.sum() > 5 else 0)
    if len(gusts) and gusts.max() >= 50:
        score += 30 if gusts.max() >= 70 else 15
    if len(temp) and temp.min() < 0:
        score += 10
    if len(temp) and temp.max() > 30:
        score += 10
    return {
        "hours_covered": len(today),
        "temperature": {"min": _r(temp.min()), "max": _r(temp.max()), "mean": _r(temp.mean())},
        "precipitation_mm": _r(rain.sum()),
        "rainy_hours": rainy,
        "wind_max_kmh": _r(col("wind_speed_10m").max()),
        "gust_max_kmh": _r(gusts.max()),
        "humidity_mean": _r(col("relative_humidity_2m").mean()),
        "cloud_cover_mean": _r(col("cloud_cover").mean()),
        "dominant_weather": None if codes.empty else {"code": int(codes.mode().min())},
        "mobility_impact": {
            "score": score,
            "level": "faible" if score < 15 else "modéré" if score < 35 else "fort",
        },
        "mobility_impact_level": "low" if score < 15 else "moderate" if score < 35 else "high",
        "hourly": [
            {
                "hour": at.tz_convert(PARIS).hour,
                "time_utc": at.strftime("%Y-%m-%dT%H:%MZ"),
                "temperature": _r(today.get("temperature_2m", pd.Series(dtype=float)).get(at)),
                "precipitation": _r(today.get("precipitation", pd.Series(dtype=float)).get(at)),
                "wind": _r(today.get("wind_speed_10m", pd.Series(dtype=float)).get(at)),
            }
            for at in today.index
        ],
    }


def comparable(metrics: dict[str, Any]) -> dict[str, Any]:
    """The product's metrics without what this module does not compute: the impact's
    sentences and their messages, and the weather label."""
    out = dict(metrics)
    out["mobility_impact"] = {k: v for k, v in metrics["mobility_impact"].items() if k != "reasons"}
    out.pop("mobility_impact_reasons", None)
    if metrics["dominant_weather"] is not None:
        out["dominant_weather"] = {"code": metrics["dominant_weather"]["code"]}
    return out
