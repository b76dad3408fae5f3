"""The weather family of ``city check``, on hours written here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from entrepot.city.check import weather

RAIN = (1.7, 1.3, 0.7, 0.7, 0.2, 0.0, 0.0, 0.0, 0.2, 0.2)  # 2021-07-14, SYNOP


def test_rain_that_adds_up_to_5_mm_is_not_past_5_mm() -> None:
    # summed left to right in floats these are 5.000000000000001 mm: the check read them
    # as past 5 mm (+10) on the real SYNOP day 2021-07-14 where the product, rightly, did not
    start = datetime(2021, 7, 13, 22, tzinfo=UTC)
    hours = {start + timedelta(hours=i): {"precipitation": mm} for i, mm in enumerate(RAIN)}
    got = weather.day_metrics(hours)
    assert got is not None
    assert got["precipitation_mm"] == (5.0, 1) and got["rainy_hours"] == (7, None)
    assert got["mobility_impact.score"] == (7, None)
    hours[start]["precipitation"] = 1.8  # 5.1 mm: past 5 mm
    assert weather.day_metrics(hours)["mobility_impact.score"] == (17, None)  # type: ignore[index]
