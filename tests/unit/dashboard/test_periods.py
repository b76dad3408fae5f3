"""Periods of days: which range a page shows, the one before it, key figures and changes."""

from __future__ import annotations

from datetime import date

import pytest

from entrepot.dashboard.periods import (
    MAX_DAYS,
    Period,
    PeriodProblem,
    aggregate,
    choose_period,
    delta,
    kpi,
    kpis,
    series,
)
from entrepot.i18n import translator

LAST = date(2025, 11, 4)


def test_without_a_range_the_last_week_with_data() -> None:
    assert choose_period(None, None, LAST) == Period(date(2025, 10, 29), LAST)
    assert choose_period("", "", LAST).days == 7


def test_one_end_gives_the_week_from_or_to_it() -> None:
    assert choose_period("2025-10-01", None, LAST) == Period(date(2025, 10, 1), date(2025, 10, 7))
    assert choose_period(None, "2025-10-07", LAST) == Period(date(2025, 10, 1), date(2025, 10, 7))


def test_a_single_day_is_a_period() -> None:
    assert choose_period("2025-11-04", "2025-11-04", LAST).days == 1


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2025-11-04", "2025-10-29", "La fin (29 octobre 2025) précède le début (4 novembre 2025)"),
        (
            "2025-02-30",
            None,
            "«\u00a02025-02-30\u00a0» n’est pas une date\u00a0: utilisez le format AAAA-MM-JJ.",
        ),
        (None, "demain", "«\u00a0demain\u00a0» n’est pas une date"),
        ("2020-01-01", "2025-11-04", "au plus 366 jours\u202f; celle-ci en compte 2\u202f135."),
    ],
)
def test_bad_ranges_are_explained(start: str | None, end: str | None, message: str) -> None:
    with pytest.raises(PeriodProblem) as caught:
        choose_period(start, end, LAST)
    assert message in caught.value.text(translator("fr"))
    assert caught.value.status == 400


def test_a_bad_range_is_explained_in_english_too() -> None:
    with pytest.raises(PeriodProblem) as caught:
        choose_period("2025-11-01", "2025-10-29", LAST)
    assert caught.value.text(translator("en")) == (
        "The end (October 29, 2025) is before the start (November 1, 2025): "
        "choose an end on or after the start."
    )
    assert "(1er novembre 2025)" in caught.value.text(translator("fr"))


def test_the_longest_period_is_accepted_and_one_more_day_is_not() -> None:
    assert choose_period("2025-01-01", "2026-01-01", LAST).days == MAX_DAYS
    with pytest.raises(PeriodProblem):
        choose_period("2025-01-01", "2026-01-02", LAST)


def test_the_previous_period_has_the_same_length_and_ends_the_day_before() -> None:
    period = Period(date(2025, 10, 29), date(2025, 11, 4))
    assert period.previous() == Period(date(2025, 10, 22), date(2025, 10, 28))
    across_a_month = Period(date(2025, 3, 1), date(2025, 3, 31)).previous()
    assert across_a_month == Period(date(2025, 1, 29), date(2025, 2, 28))
    assert date(2025, 11, 4) in period and date(2025, 10, 28) not in period


def test_aggregates() -> None:
    assert aggregate([1, 2, 4], "sum") == 7
    assert aggregate([1.25, 2.5], "sum") == 3.8  # rounded to one decimal
    assert aggregate([1, 2], "mean") == 1.5
    assert aggregate([3, 9, 2], "max") == 9
    assert aggregate([], "sum") is None


def test_delta_direction_sign_and_percent() -> None:
    up = delta(120, 100)
    assert up is not None and (up.direction, up.change, up.percent) == ("up", 20, 20.0)
    down = delta(75.0, 100.0)
    assert down is not None and (down.direction, down.change, down.percent) == ("down", -25, -25)
    flat = delta(1000.4, 1000)
    assert flat is not None and flat.direction == "flat"
    from_zero = delta(5, 0)
    assert from_zero is not None and from_zero.percent is None and from_zero.direction == "up"
    negative = delta(-2.0, -4.0)  # a temperature rising from -4 to -2
    assert negative is not None and negative.direction == "up" and negative.percent == 50
    assert delta(None, 3) is None and delta(3, None) is None


def test_a_sum_over_unequal_coverage_compares_per_day() -> None:
    now = {date(2025, 11, d): {"bike_counts": 100} for d in (1, 2, 3, 4)}
    before = {date(2025, 10, 28): {"bike_counts": 100}}
    figure = kpi("bike_counts", now, before)
    assert figure.value == 400 and figure.previous == 100 and figure.days == 4
    assert figure.delta is not None
    assert figure.delta.per_day and figure.delta.direction == "flat" and figure.delta.change == 0


def test_a_sum_over_equal_coverage_compares_totals() -> None:
    now = {date(2025, 11, 4): {"traffic_vehicles": 300}, date(2025, 11, 3): {"traffic_vehicles": 0}}
    before = {
        date(2025, 11, 1): {"traffic_vehicles": 60},
        date(2025, 11, 2): {"traffic_vehicles": 40},
    }
    figure = kpi("traffic_vehicles", now, before)
    assert figure.delta is not None and not figure.delta.per_day
    assert (figure.value, figure.previous, figure.delta.percent) == (300, 100, 200.0)
    # a day without the figure does not count as covered
    del before[date(2025, 11, 2)]["traffic_vehicles"]
    assert kpi("traffic_vehicles", now, before).delta.per_day  # type: ignore[union-attr]


def test_figures_without_a_value_are_left_out() -> None:
    shown = kpis({LAST: {"temperature_mean": 9.5, "weather_impact": "faible"}}, {})
    assert [(k.key, k.value, k.delta) for k in shown] == [("temperature_mean", 9.5, None)]


def test_series_leave_a_gap_on_a_day_without_data() -> None:
    period = Period(date(2025, 11, 2), LAST)
    days = {date(2025, 11, 2): {"bike_counts": 5}, LAST: {"bike_counts": 7}}
    assert series(days, period, "bike_counts") == [5, None, 7]
