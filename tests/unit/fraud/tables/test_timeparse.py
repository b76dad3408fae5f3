"""Timestamp formats: detected once on a sample, applied as a fixed pattern."""

from __future__ import annotations

import pandas as pd
import pytest

from entrepot.fraud.tables.timeparse import (
    EPOCH_MS,
    EPOCH_S,
    ISO,
    NATIVE,
    detect_format,
    parse_times,
)

INSTANT = pd.Timestamp("2024-03-17 13:20:53")


@pytest.mark.parametrize(
    ("value", "fmt"),
    [
        ("2024-03-17 13:20:53", "%Y-%m-%d %H:%M:%S"),
        ("2024-03-17T13:20:53", "%Y-%m-%dT%H:%M:%S"),
        ("17/03/2024 13:20:53", "%d/%m/%Y %H:%M:%S"),
        ("03/17/2024 13:20:53", "%m/%d/%Y %H:%M:%S"),
        ("17.03.2024 13:20:53", "%d.%m.%Y %H:%M:%S"),
        (20240317132053, "%Y%m%d%H%M%S"),
        (1710681653, EPOCH_S),
        (1710681653000, EPOCH_MS),
        ("2024-03-17T14:20:53+01:00", ISO),
        ("2024-03-17T13:20:53.000Z", ISO),
    ],
)
def test_formats_detected_and_parsed(value: object, fmt: str) -> None:
    series = pd.Series([value, None, value])
    if isinstance(value, int):
        series = pd.Series([value, value], dtype="int64")
    assert detect_format(series) == fmt
    parsed = parse_times(series, fmt)
    assert parsed.iloc[0] == INSTANT
    assert str(parsed.dtype) == "datetime64[s]"


def test_day_first_is_preferred_when_ambiguous_and_month_first_when_forced() -> None:
    assert detect_format(pd.Series(["03/04/2024 10:00", "05/06/2024 11:00"])) == "%d/%m/%Y %H:%M"
    assert detect_format(pd.Series(["03/04/2024 10:00", "05/16/2024 11:00"])) == "%m/%d/%Y %H:%M"


def test_native_datetimes_with_time_zones_become_naive_utc() -> None:
    series = pd.Series(pd.to_datetime(["2024-03-17 14:20:53"]).tz_localize("Europe/Paris"))
    assert detect_format(series) == NATIVE
    assert parse_times(series, NATIVE).iloc[0] == INSTANT


def test_things_that_are_not_timestamps() -> None:
    assert detect_format(pd.Series([1.5, 2.25, 3.0])) is None
    assert detect_format(pd.Series(["abc", "def"])) is None
    assert detect_format(pd.Series([12, 5, 7])) is None
    assert detect_format(pd.Series([None, None], dtype="object")) is None


def test_values_that_do_not_fit_the_format_become_missing() -> None:
    parsed = parse_times(pd.Series(["17/03/2024 13:20:53", "garbage", None]), "%d/%m/%Y %H:%M:%S")
    assert parsed.iloc[0] == INSTANT
    assert parsed.iloc[1:].isna().all()


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["4/18/15 2:47", "6/8/15 1:38", "1/1/15 18:52"], "2015-04-18T02:47:00"),
        (["18/04/15 02:47", "08/06/15 01:38", "31/12/14 23:59"], "2015-04-18T02:47:00"),
        (["18.04.15", "08.06.15", "31.12.14"], "2015-04-18T00:00:00"),
    ],
)
def test_a_two_digit_year_is_this_century_never_the_year_15(
    texts: list[str], expected: str
) -> None:
    """Regression: ``4/18/15 2:47`` (a public e-commerce table's purchase time) was read
    with ``%m/%d/%Y`` as the year 15, so its rows ordered as in year 15."""
    series = pd.Series(texts * 10)
    fmt = detect_format(series)
    assert fmt is not None and "%y" in fmt
    parsed = parse_times(series, fmt)
    assert parsed.iloc[0] == pd.Timestamp(expected)
    assert (parsed.dt.year >= 2000).all()


@pytest.mark.parametrize(
    ("values", "fmt"),
    [
        (
            ["2024-03-17 13:20:53", None, "garbage", "2023-01-01 00:00:00", " 2024-02-29 23:59:59"]
            * 7,
            "%Y-%m-%d %H:%M:%S",
        ),
        (["2024-03-17T13:20:53+01:00", "2024-03-17", None, "x", "2024-03-17T13:20:53.5Z"] * 7, ISO),
        ([1710681653, None, 0, -5, 1.5] * 7, EPOCH_S),
        ([1710681653000, None, 17, 3.0, -1] * 7, EPOCH_MS),
        ([45000.5, None, 1.0, "y", 60000] * 7, "excel_serial"),
        ([20240317132053, 20230101000000, None, 1, 20241231235959] * 7, "%Y%m%d%H%M%S"),
    ],
)
def test_times_parsed_a_slice_at_a_time_are_the_whole_columns(
    values: list[object], fmt: str
) -> None:
    """ADR 0126: a model's row times are parsed a slice of rows at a time (the parse's
    temporaries a slice's, not the column's): the same seconds as the column parsed whole,
    whatever the slices' ends, missing where a value does not parse."""
    from entrepot.fraud.tables.timeparse import MISSING_SECONDS, epoch_seconds, seconds_of

    series = pd.Series(values, index=range(100, 100 + len(values)))
    whole = seconds_of(parse_times(series, fmt))
    assert (whole == MISSING_SECONDS).any() and (whole != MISSING_SECONDS).any()
    for rows in (1, 3, 4, len(values), len(values) + 5):
        assert epoch_seconds(series, fmt, rows=rows).tolist() == whole.tolist()
