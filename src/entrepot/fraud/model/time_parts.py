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
    writes it into its matrix and lets it go before the next is made)."""
    missing = np.isnat(stamps)
    seconds = stamps.astype(np.int64)
    days = np.floor_divide(seconds, 86_400)
    hour = np.where(missing, np.nan, ((seconds - days * 86_400) // 60) / 60.0)
    del seconds
    weekday = np.where(missing, np.nan, (days + 3) % 7)  # 1970-01-01 was a Thursday
    del days
    yield "hour", hour
    yield "hour_sin", np.sin(2 * np.pi * hour / 24)
    yield "hour_cos", np.cos(2 * np.pi * hour / 24)
    yield "weekday", weekday
    yield "weekday_sin", np.sin(2 * np.pi * weekday / 7)
    yield "weekday_cos", np.cos(2 * np.pi * weekday / 7)
    month_start = stamps.astype("datetime64[M]").astype("datetime64[D]")
    day = (stamps.astype("datetime64[D]") - month_start).astype(np.int64) + 1
    del month_start
    yield "day_of_month", np.where(missing, np.nan, day.astype(float))
    del day
    yield "is_weekend", np.where(np.isnan(weekday), np.nan, (weekday >= 5).astype(float))
    yield "is_night", np.where(np.isnan(hour), np.nan, (hour < 6).astype(float))
