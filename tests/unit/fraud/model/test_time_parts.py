"""The time features computed in place hold the plain expressions' bits (issue 40 item 4:
a training's peak memory is reached while they are made)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from entrepot.fraud.model.time_parts import TIME_PARTS, time_part_items, time_parts


def _plain(stamps: np.ndarray) -> Iterator[tuple[str, np.ndarray]]:
    """The time features as first written: each a plain expression of new arrays."""
    missing = np.isnat(stamps)
    seconds = stamps.astype(np.int64)
    days = np.floor_divide(seconds, 86_400)
    hour = np.where(missing, np.nan, ((seconds - days * 86_400) // 60) / 60.0)
    weekday = np.where(missing, np.nan, (days + 3) % 7)
    yield "hour", hour
    yield "hour_sin", np.sin(2 * np.pi * hour / 24)
    yield "hour_cos", np.cos(2 * np.pi * hour / 24)
    yield "weekday", weekday
    yield "weekday_sin", np.sin(2 * np.pi * weekday / 7)
    yield "weekday_cos", np.cos(2 * np.pi * weekday / 7)
    month_start = stamps.astype("datetime64[M]").astype("datetime64[D]")
    day = (stamps.astype("datetime64[D]") - month_start).astype(np.int64) + 1
    yield "day_of_month", np.where(missing, np.nan, day.astype(float))
    yield "is_weekend", np.where(np.isnan(weekday), np.nan, (weekday >= 5).astype(float))
    yield "is_night", np.where(np.isnan(hour), np.nan, (hour < 6).astype(float))


def _stamps(seed: int, rows: int) -> np.ndarray:
    """Instants from 1901 to 2099 (before 1970 too), month ends and leap days, NaT."""
    rng = np.random.default_rng(seed)
    seconds = rng.integers(-2_170_000_000, 4_070_000_000, rows)
    edges = np.array(
        ["1969-12-31T23:59:59", "1970-01-01T00:00:00", "2024-02-29T23:59:59", "2000-03-01"],
        dtype="datetime64[s]",
    ).astype(np.int64)
    stamps = np.concatenate([seconds, edges]).astype("datetime64[s]")
    stamps[rng.random(len(stamps)) < 0.1] = np.datetime64("NaT")
    return stamps


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_same_bits_as_the_plain_expressions(seed: int) -> None:
    stamps = _stamps(seed, 20_000)
    made = list(time_part_items(stamps))
    plain = list(_plain(stamps.copy()))
    assert [name for name, _ in made] == [name for name, _ in plain]
    for (name, values), (_, expected) in zip(made, plain, strict=True):
        assert values.dtype == expected.dtype == np.float64, name
        assert values.tobytes() == expected.tobytes(), name
    assert set(time_parts(stamps)) == TIME_PARTS


def test_the_instants_are_left_as_they_are() -> None:
    stamps = _stamps(3, 1_000)
    before = stamps.copy()
    for _ in time_part_items(stamps):
        pass
    assert stamps.tobytes() == before.tobytes()


def test_a_missing_instant_has_no_time_feature() -> None:
    stamps = np.array(["NaT", "2024-03-09T02:30:00"], dtype="datetime64[s]")
    found = time_parts(stamps)
    assert all(np.isnan(values[0]) for values in found.values())
    assert [found[name][1] for name in ("hour", "weekday", "day_of_month")] == [2.5, 5.0, 9.0]
    assert [found["is_weekend"][1], found["is_night"][1]] == [1.0, 1.0]
