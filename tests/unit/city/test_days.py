"""Paris local days: clock changes and date parsing."""

from __future__ import annotations

from datetime import date

import pytest

from entrepot.city.days import day_hours, days_between, parse_day
from entrepot.city_service.days import MAX_DAYS, run_days
from entrepot.errors import InvalidArgument
from entrepot.i18n.messages import speaker


@pytest.mark.parametrize(
    ("day", "count"),
    [(date(2025, 3, 30), 23), (date(2025, 10, 26), 25), (date(2025, 11, 4), 24)],
)
def test_a_local_day_has_23_24_or_25_hours(day: date, count: int) -> None:
    hours = day_hours(day)
    assert len(hours) == count
    assert hours[0].start.hour == 0
    assert hours[0].start.date() == day
    assert hours[-1].end.date() == date.fromordinal(day.toordinal() + 1)
    assert all(h.end.timestamp() - h.start.timestamp() == 3600 for h in hours)


def test_the_repeated_autumn_hour_is_told_apart_by_fold() -> None:
    twos = [h for h in day_hours(date(2025, 10, 26)) if h.hour == 2]
    assert [h.fold for h in twos] == [0, 1]
    assert [h.start.utcoffset().total_seconds() / 3600 for h in twos] == [2, 1]  # type: ignore[union-attr]


def test_the_spring_day_has_no_two_oclock() -> None:
    assert 2 not in {h.hour for h in day_hours(date(2025, 3, 30))}


def test_parse_day_names_the_bad_value() -> None:
    assert parse_day("2025-11-04") == date(2025, 11, 4)
    with pytest.raises(InvalidArgument, match="'2025-13-01'") as info:
        parse_day("2025-13-01")
    assert "YYYY-MM-DD" in str(info.value)


def test_days_between_is_inclusive() -> None:
    assert list(days_between(date(2025, 1, 30), date(2025, 2, 1))) == [
        date(2025, 1, 30),
        date(2025, 1, 31),
        date(2025, 2, 1),
    ]


@pytest.mark.parametrize("text", ["2025-W45-2", "20251104", "2025-308", "2025-11-04T10:00"])
def test_parse_day_takes_the_one_form_every_door_takes(text: str) -> None:
    """The command line took ``2025-W45-2`` (``date.fromisoformat`` reads ISO week dates)
    where the API refused it; one rule now, ``YYYY-MM-DD``."""
    with pytest.raises(InvalidArgument, match=repr(text)):
        parse_day(text)


def test_a_refused_range_of_days_says_its_dates_in_the_readers_language() -> None:
    with pytest.raises(InvalidArgument, match="is after --until") as refused:
        run_days(None, "2025-11-05", "2025-11-01")
    said = refused.value.said
    assert said is not None and said.key == "error.city.days_reversed"
    assert said.params == {"since": "2025-11-05", "until": "2025-11-01"}
    french = speaker("fr")(said)
    assert "--since 2025-11-05" in french and "--until 2025-11-01" in french
    assert "postérieur" in french and "{" not in french
    with pytest.raises(InvalidArgument, match="more than") as too_many:
        run_days(None, "2000-01-01", "2025-11-01")
    assert too_many.value.said is not None
    assert too_many.value.said.params["days"] == MAX_DAYS
    assert "660\u00a0jours" in speaker("fr")(too_many.value.said)


def test_a_refused_date_names_the_text_in_french() -> None:
    with pytest.raises(InvalidArgument, match="not a date") as refused:
        parse_day("4/11/2025")
    said = refused.value.said
    assert said is not None and said.key == "error.city.not_a_day"
    assert "«\u00a04/11/2025\u00a0»" in speaker("fr")(said)
    assert "“4/11/2025”" in speaker("en")(said)
