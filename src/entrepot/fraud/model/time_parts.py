"""The time features of an instant: hour, weekday (also on the circle), day of month,
weekend and night flags."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

#: The names of the time features.
TIME_PARTS = frozenset(
    {"hour", "hour_sin", "hour_cos", "weekday", "weekday_sin", "weekday_cos"}
    | {"day_of_month", "is_weekend", "is_night"}
)


def time_parts(stamps: np.ndarray) -> dict[str, np.ndarray]:
    """The time features of ``datetime64[s]`` instants (NaN where missing)."""
    return dict(time_part_items(stamps))


def time_part_items(stamps: np.ndarray) -> Iterator[tuple[str, np.ndarray]]:
    """:func:`time_parts` one feature at a time, each made as it is asked for (a training
    writes it into its matrix and lets it go before the next is made). Each is computed
    in place, in one array of its own beside the hour and the weekday: a training's
    matrix is resident from its first feature on (issue 40 item 4, ADR 0116). The bits
    are those of the plain expressions each step names."""
    missing = np.isnat(stamps)
    seconds = stamps.view(np.int64)  # NaT: int64's least, masked below
    days = np.floor_divide(seconds, 86_400)
    # ((seconds - days * 86_400) // 60) / 60.0, NaN where missing
    minutes = days * 86_400
    np.subtract(seconds, minutes, out=minutes)
    np.floor_divide(minutes, 60, out=minutes)
    hour = np.true_divide(minutes, 60.0)
    del minutes
    hour[missing] = np.nan
    # (days + 3) % 7 as floats, NaN where missing (1970-01-01 was a Thursday)
    np.add(days, 3, out=days)
    np.remainder(days, 7, out=days)
    weekday = days.astype(float)
    del days
    weekday[missing] = np.nan
    yield "hour", hour
    yield "hour_sin", _on_circle(np.sin, hour, 24)
    yield "hour_cos", _on_circle(np.cos, hour, 24)
    yield "weekday", weekday
    yield "weekday_sin", _on_circle(np.sin, weekday, 7)
    yield "weekday_cos", _on_circle(np.cos, weekday, 7)
    yield "day_of_month", _day_of_month(stamps, missing)
    yield "is_weekend", _flag(weekday, weekday >= 5)
    yield "is_night", _flag(hour, hour < 6)


def _on_circle(turn: np.ufunc, values: np.ndarray, period: int) -> np.ndarray:
    """``turn(2 * np.pi * values / period)``, in one array."""
    out: np.ndarray = np.multiply(2 * np.pi, values)
    np.true_divide(out, period, out=out)
    turn(out, out=out)
    return out


def _day_of_month(stamps: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """The day of the month from 1, as floats; NaN where missing."""
    month_start = stamps.astype("datetime64[M]").astype("datetime64[D]").view(np.int64)
    day = stamps.astype("datetime64[D]").view(np.int64)  # NaT: int64's least, masked below
    np.subtract(day, month_start, out=day)
    del month_start
    np.add(day, 1, out=day)
    out = day.astype(float)
    del day
    out[missing] = np.nan
    return out


def _flag(values: np.ndarray, flagged: np.ndarray) -> np.ndarray:
    """``flagged`` as 1.0 and 0.0, NaN where ``values`` is."""
    out = flagged.astype(float)
    out[np.isnan(values)] = np.nan
    return out
