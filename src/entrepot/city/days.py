"""Europe/Paris local days: their hours (23, 24 or 25), date parsing and ranges."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from entrepot.errors import InvalidArgument
from entrepot.messages import N_, Message

#: Paris local time: partitions, report days and the counts export all use it.
PARIS_TZ_NAME = "Europe/Paris"


@cache
def paris() -> ZoneInfo:
    """The Europe/Paris time zone."""
    return ZoneInfo(PARIS_TZ_NAME)


@dataclass(frozen=True, slots=True)
class LocalHour:
    """One real hour of a Paris local day.

    ``start`` and ``end`` are aware datetimes in Paris time; ``fold`` is 1 for the
    second occurrence of the repeated hour on the autumn clock change.
    """

    start: datetime
    end: datetime

    @property
    def hour(self) -> int:
        """Local wall-clock hour of the start (0-23)."""
        return self.start.hour

    @property
    def fold(self) -> int:
        """0, or 1 for the repeated hour of the autumn change."""
        return self.start.fold


def day_hours(day: date) -> list[LocalHour]:
    """The real hours of a local day: 24, or 23/25 on the clock-change days."""
    tz = paris()
    begin = datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)
    nxt = day + timedelta(days=1)
    finish = datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz).astimezone(UTC)
    hours: list[LocalHour] = []
    cur = begin
    while cur < finish:
        hours.append(LocalHour(cur.astimezone(tz), (cur + timedelta(hours=1)).astimezone(tz)))
        cur += timedelta(hours=1)
    return hours


def parse_as_of(text: str) -> datetime:
    """``YYYY-MM-DD`` (noon UTC of that day) or ``YYYY-MM-DDTHH:MM`` (Paris wall time, or
    with its offset) -> an instant; raise :class:`InvalidArgument` naming the bad value."""
    value = text.strip()
    if len(value) == 10:
        day = parse_day(value)
        return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidArgument(
            f"not a date or time: {text!r}",
            hint="write --as-of as YYYY-MM-DD or YYYY-MM-DDTHH:MM (Paris time), "
            "e.g. 2019-04-07T14:30",
            said=Message(N_("error.city.not_a_moment"), {"text": text[:100]}),
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=paris())


#: A day as every door takes it: ``YYYY-MM-DD`` (not the other ISO forms that
#: ``date.fromisoformat`` reads, such as ``2025-W45-2`` or ``20251104``).
DAY_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")


#: The days the city pipeline knows: a count, a day asked for, outside them is a typing or
#: an export's error (year 9999 overflowed the day after, exit 70: issue 42).
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2199, 12, 31)


def parse_day(text: str) -> date:
    """Parse ``YYYY-MM-DD`` (a day from :data:`EARLIEST_DAY` to :data:`LATEST_DAY`); raise
    :class:`InvalidArgument` naming the bad value."""
    found = None
    try:
        if DAY_TEXT.fullmatch(text):
            found = date.fromisoformat(text)
    except ValueError:
        pass
    if found is not None and EARLIEST_DAY <= found <= LATEST_DAY:
        return found
    if found is not None:
        raise InvalidArgument(
            f"{text} is not a day the city pipeline can hold",
            hint=f"give a day from {EARLIEST_DAY} to {LATEST_DAY}",
            said=Message(
                N_("error.city.day_out_of_range"),
                {"text": text, "first": str(EARLIEST_DAY), "last": str(LATEST_DAY)},
            ),
        )
    raise InvalidArgument(
        f"not a date: {text!r}",
        hint="write dates as YYYY-MM-DD, e.g. 2025-11-04",
        said=Message(N_("error.city.not_a_day"), {"text": text[:100]}),
    )


def days_between(start: date, end: date) -> Iterator[date]:
    """Every day from ``start`` to ``end`` inclusive."""
    cur = start
    while cur <= end:
        yield cur
        cur += timedelta(days=1)
