"""Every daily metric of every real export the product accepts, equal to a second
computation written from docs/city.md (``tests/support/city_reference``, which shares no
code with the product) and read from the raw files, not from the lake.

The product takes 40-100 ms a day here (pandas), so days are a documented slice: traffic,
the clock-change days, the duplicated December 2023, every 4th day with a missing or empty
hour and every 10th day (128 of the 754 days); the chantiers, 6 days over the 7
weeks before its as-of date. Every SYNOP day is compared.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from entrepot.city.lake import Lake
from entrepot.city.pipeline import DayProcessor
from tests.support.city_reference import bikes, roadworks, traffic, weather
from tests.support.city_reference.compare import differences
from tests.support.real_paris import (
    AS_OF,
    CHAMPS,
    CHANTIERS,
    CONVENTION,
    REFERENTIEL,
    imported,
    real,
)

SYNOP = "meteo-france-synop-paris.csv"
OPEN_METEO = "open-meteo-paris-2024-08-17.json"
VELIB_CSV = "velib-disponibilite-en-temps-reel.csv"
COUNTERS = "comptage-velo-donnees-compteurs.csv"


@pytest.fixture(scope="module")
def arcs() -> pd.DataFrame:
    return traffic.referentiel(real(REFERENTIEL))


CLOCK_CHANGES = {date(y, m, d) for y, m, d in ((2020, 10, 25), (2021, 3, 28), (2021, 10, 31),
                 (2022, 3, 27), (2022, 10, 30), (2023, 3, 26), (2023, 10, 29))}  # fmt: skip


def _slice(rows: pd.DataFrame) -> list[date]:
    per_day = rows.groupby("day").agg(n=("hour", "size"), empty=("q", lambda q: q.isna().sum()))
    odd = sorted(per_day[(per_day["n"] != 24) | (per_day["empty"] > 0)].index)
    days = sorted(per_day.index)
    december = [d for d in days if (d.year, d.month) == (2023, 12)]  # twice in the file
    changes = CLOCK_CHANGES.intersection(days)
    return sorted({*odd[::4], *days[::10], *december, *changes, days[0], days[-1]})


@pytest.mark.parametrize("name", [CONVENTION, CHAMPS])
def test_traffic_days_equal_the_second_computation(name: str, arcs: pd.DataFrame) -> None:
    store, _ = imported(real(name), real(REFERENTIEL))
    rows = traffic.hours([real(name)])
    days = _slice(rows)
    docs = DayProcessor(Lake(store)).traffic_days(days)
    by_day = dict(tuple(rows.groupby("day")))
    places = traffic.places(arcs)
    wrong = {}
    for day in days:
        expected = traffic.day_metrics(by_day[day], places)
        got = docs[day]
        if expected is None or not isinstance(got, dict):
            assert expected is None and not isinstance(got, dict), day
            continue
        if found := differences(got["metrics"], expected):
            wrong[day] = found
    assert len(days) >= 50 and wrong == {}


def test_the_repeated_autumn_hour_of_a_wall_time_file_is_its_first_instant(
    tmp_path: Path,
) -> None:
    # the yearly file stamps 2023-10-29 in wall time with one 02:00: the hour 01:00-02:00
    # (summer time), as Python and pandas read an ambiguous wall time; it was 02:00-03:00
    store, _ = imported(real(CHAMPS))
    metrics = DayProcessor(Lake(store)).traffic(date(2023, 10, 29))["metrics"]
    hours = [h["hour"] for h in metrics["hourly"]]
    assert hours == list(range(24))  # was 0, 2 (2 rows), 3...: hour 1 missing
    assert metrics["hourly"][1]["total_flow"] == 1096.0


def test_a_day_of_occupancy_only_rows_names_no_arc_for_its_maximum_flow() -> None:
    store, _ = imported(real(CONVENTION))
    metrics = DayProcessor(Lake(store)).traffic(date(2022, 11, 8))["metrics"]
    assert metrics["total_flow"] is None and metrics["mean_occupancy"] is not None
    assert metrics["max_flow"] == {"value": None, "arc": None}  # was arc 5671


def test_velib_and_counter_days_equal_the_second_computation() -> None:
    store, _ = imported(
        real("station_status.json"), real("station_information.json"), real(VELIB_CSV),
        real(COUNTERS),
    )  # fmt: skip
    processor = DayProcessor(Lake(store))
    gbfs = bikes.gbfs_snapshot(real("station_status.json"), real("station_information.json"))
    portal = bikes.portal_snapshot(real(VELIB_CSV))
    counted = bikes.counter_rows(real(COUNTERS))
    of_day = "station_information of 2025-10-18"
    cases = [
        (date(2025, 10, 18), "stations", bikes.station_metrics([gbfs], of_day)),
        (date(2023, 12, 10), "stations", bikes.station_metrics([portal], "snapshot column")),
        (date(2021, 9, 1), "counters", bikes.counter_metrics(counted, date(2021, 9, 1))),
    ]
    for day, part, expected in cases:
        assert differences(processor.bikes(day)["metrics"][part], expected) == [], day


def test_weather_days_equal_the_second_computation() -> None:
    for name, wide in (
        (OPEN_METEO, weather.open_meteo_hours(real(OPEN_METEO))),
        (SYNOP, weather.synop_hours(real(SYNOP))),
    ):
        store, _ = imported(real(name))
        processor = DayProcessor(Lake(store))
        days = Lake(store).days("weather")
        wrong = {}
        for day in days:
            got = weather.comparable(processor.weather(day)["metrics"])
            if found := differences(got, weather.day_metrics(wide, day)):
                wrong[day] = found[:3]
        assert days and wrong == {}, name
    assert len(days) >= 416  # every SYNOP day (it replaces a check of their rain alone)


def test_roadworks_days_equal_the_second_computation(arcs: pd.DataFrame) -> None:
    store, _ = imported(real(CHANTIERS), real(REFERENTIEL))
    processor = DayProcessor(Lake(store))
    works = roadworks.works(real(CHANTIERS), arcs)
    known = AS_OF.date() + timedelta(days=7)  # the last day the snapshot describes
    wrong = {}
    for day in (known - timedelta(days=9 * i) for i in range(6)):
        if found := differences(
            processor.roadworks(day)["metrics"], roadworks.day_metrics(works, day)
        ):
            wrong[day] = found
    assert wrong == {}
