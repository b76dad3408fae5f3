"""What the city service is asked and what it answers (no heavy import: the CLI reads
these while parsing its options)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from entrepot.city.limits import DEFAULT_MEMORY_LIMIT

if TYPE_CHECKING:
    from entrepot.city.generator import GenerateResult


@dataclass(frozen=True)
class Generated:
    """What ``generate`` wrote, and where."""

    store: str
    result: GenerateResult


@dataclass(frozen=True)
class RunRequest:
    """Which days and types a run covers, and how: the user's words, checked by the run."""

    day: str | None = None
    since: str | None = None
    until: str | None = None
    types: Sequence[str] | None = None
    prefix: str = ""
    force: bool = False
    report: bool = True
    memory_limit: str = DEFAULT_MEMORY_LIMIT


@dataclass(frozen=True)
class DayRange:
    """The Paris local days from ``start`` to ``end``, both included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        """How many days the range has."""
        return (self.end - self.start).days + 1

    def shifted(self, periods: int) -> DayRange:
        """The range of the same length ``periods`` lengths later (earlier when negative):
        ``shifted(-1)`` is the previous period a comparison reads, as a time shift."""
        step = timedelta(days=self.days * periods)
        return DayRange(self.start + step, self.end + step)

    def previous(self) -> DayRange:
        """The range of the same length that ends the day before this one starts."""
        return self.shifted(-1)


@dataclass(frozen=True)
class QuickRange:
    """A range offered in one click: its ``key`` (``last_7``, ``this_month``…) and days."""

    key: str
    range: DayRange


#: The quick ranges' lengths in days.
QUICK_DAYS = (7, 30, 90)


def quick_ranges(
    last: date, first: date | None = None, longest: int | None = None
) -> tuple[QuickRange, ...]:
    """The last 7, 30 and 90 days and this month, counted back from ``last`` (the last day
    with data, not the clock: an instance holding last year's data offers last year's
    weeks), in that order; with ``first`` (the first day with data), then ``all``: from
    ``first`` to ``last``, its last ``longest`` days when it is longer."""
    found = [
        QuickRange(f"last_{n}", DayRange(last - timedelta(days=n - 1), last)) for n in QUICK_DAYS
    ]
    found.append(QuickRange("this_month", DayRange(last.replace(day=1), last)))
    if first is not None and first <= last:
        start = first
        if longest is not None and (last - first).days + 1 > longest:
            start = last - timedelta(days=longest - 1)
        found.append(QuickRange("all", DayRange(start, last)))
    return tuple(found)


def hours_in_day(day: date) -> int:
    """How many hours the Paris day ``day`` has: 23 on the spring clock change, 25 on the
    autumn one, else 24 (what a day page notes beside its hourly charts)."""
    from entrepot.city.days import day_hours

    return len(day_hours(day))
