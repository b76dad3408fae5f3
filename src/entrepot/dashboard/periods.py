"""Periods of days (pure, no I/O): the range a page asks for, the period of the same
length just before it, key figures over each and the change between them.

A key figure over a period aggregates the daily report summaries (``summary`` of
:func:`entrepot.city.report.summarize`) of the days that have one: a *sum* for counts
that add up over days (vehicles, congestion hours, bike passages, rain), a *mean* for
levels (bikes available, arcs congested per day, works active per day, temperature) and
a *max* for peaks. Two periods compare their totals when both have the same number of
days with the figure; otherwise the per-day means, and :class:`Delta` says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from entrepot.i18n import Formats, Translator
from entrepot.i18n.catalogs import N_

#: The longest period a page shows.
MAX_DAYS = 366
#: The period shown when none is asked for: the last week with data.
DEFAULT_DAYS = 7
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

Aggregate = Literal["sum", "mean", "max"]
Summary = Mapping[str, Any]
#: Key figure -> how the days add up.
KPIS: dict[str, Aggregate] = {
    "traffic_vehicles": "sum",
    "lost_time_hours": "sum",
    "congested_arcs": "mean",
    "bike_counts": "sum",
    "bikes_available_mean": "mean",
    "empty_stations_max": "max",
    "disruptions": "mean",
    "active_roadworks": "mean",
    "precipitation_mm": "sum",
    "temperature_mean": "mean",
}
#: Key figure -> its name.
KPI_LABELS = {
    "traffic_vehicles": N_("dash.kpi.traffic_vehicles"),
    "lost_time_hours": N_("dash.kpi.lost_time_hours"),
    "congested_arcs": N_("dash.kpi.congested_arcs"),
    "bike_counts": N_("dash.kpi.bike_counts"),
    "bikes_available_mean": N_("dash.kpi.bikes_available_mean"),
    "empty_stations_max": N_("dash.kpi.empty_stations_max"),
    "disruptions": N_("dash.kpi.disruptions"),
    "active_roadworks": N_("dash.kpi.active_roadworks"),
    "precipitation_mm": N_("dash.kpi.precipitation_mm"),
    "temperature_mean": N_("dash.kpi.temperature_mean"),
}
#: A change's direction -> its word (the cards say it, not only a colour or an arrow).
DIRECTIONS = {
    "up": N_("dash.delta.up"),
    "down": N_("dash.delta.down"),
    "flat": N_("dash.delta.flat"),
}
#: A change smaller than this share of the previous value reads as stable.
FLAT = 0.005


class PeriodProblem(ValueError):
    """A period that cannot be shown: the message ``key`` and its ``values`` (days as
    :class:`~datetime.date`, for the page to write in its language); ``status`` is the
    HTTP one."""

    def __init__(self, key: str, status: int = 400, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values
        self.status = status

    def text(self, t: Translator) -> str:
        """The message in ``t``'s language, its days and numbers written as it writes them."""
        formats = Formats(t.lang)
        shown = {
            name: formats.day(value, "long")
            if isinstance(value, date)
            else formats.number(value)
            if isinstance(value, int)
            else value
            for name, value in self.values.items()
        }
        return t(self.key, **shown)


@dataclass(frozen=True)
class Period:
    """The days from ``start`` to ``end``, both included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        """How many days the period has."""
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length that ends the day before this one starts."""
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end)

    def dates(self) -> list[date]:
        """Every day of the period, in order."""
        return [self.start + timedelta(days=i) for i in range(self.days)]

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def _parse(value: str) -> date:
    try:
        if _DAY.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise PeriodProblem(N_("dash.range.bad_date"), value=value)


def choose_period(start: str | None, end: str | None, last: date | None) -> Period:
    """The period asked for by the ``from`` and ``to`` texts (either may be empty).

    Without both, the last :data:`DEFAULT_DAYS` days with data (ending at ``last``);
    with one, the :data:`DEFAULT_DAYS` days that start or end there. Raises
    :class:`PeriodProblem` for a text that is not a date, an end before the start or a
    period longer than :data:`MAX_DAYS`.
    """
    first_day = _parse(start) if start else None
    last_day = _parse(end) if end else None
    week = timedelta(days=DEFAULT_DAYS - 1)
    if first_day is None and last_day is None:
        last_day = last or date.today()
    if first_day is None:
        assert last_day is not None
        first_day = last_day - week
    if last_day is None:
        last_day = first_day + week
    if last_day < first_day:
        raise PeriodProblem(N_("dash.range.reversed"), start=first_day, end=last_day)
    period = Period(first_day, last_day)
    if period.days > MAX_DAYS:
        raise PeriodProblem(N_("dash.range.too_long"), limit=MAX_DAYS, days=period.days)
    return period


@dataclass(frozen=True)
class Delta:
    """How a figure moved against the previous period.

    ``change`` is the difference (totals, or per-day means when ``per_day``); ``percent``
    is ``None`` when the previous value is zero.
    """

    change: float
    percent: float | None
    direction: Literal["up", "down", "flat"]
    per_day: bool


@dataclass(frozen=True)
class Kpi:
    """One key figure over a period, the previous period's, and the change."""

    key: str
    value: float | int | None
    previous: float | int | None
    days: int
    delta: Delta | None


def _values(days: Mapping[date, Summary], key: str) -> list[float | int]:
    found = [s.get(key) for s in days.values()]
    return [v for v in found if isinstance(v, int | float) and not isinstance(v, bool)]


def aggregate(values: Sequence[float | int], how: Aggregate) -> float | int | None:
    """The figure over a period from its daily values; ``None`` without any."""
    if not values:
        return None
    if how == "max":
        return max(values)
    total = sum(values)
    if how == "mean":
        return round(total / len(values), 1)
    return total if isinstance(total, int) else round(total, 1)


def delta(
    value: float | int | None,
    previous: float | int | None,
    *,
    per_day: bool = False,
) -> Delta | None:
    """The change from ``previous`` to ``value``; ``None`` when either is missing."""
    if value is None or previous is None:
        return None
    change = value - previous
    percent = None if previous == 0 else round(change / abs(previous) * 100, 1)
    scale = abs(previous) if previous else abs(value)
    if change == 0 or (scale and abs(change) / scale < FLAT):
        direction: Literal["up", "down", "flat"] = "flat"
    else:
        direction = "up" if change > 0 else "down"
    return Delta(round(change, 1), percent, direction, per_day)


def kpi(key: str, current: Mapping[date, Summary], before: Mapping[date, Summary]) -> Kpi:
    """Key figure ``key`` over the ``current`` days against the ``before`` days."""
    how = KPIS[key]
    now, then = _values(current, key), _values(before, key)
    value, previous = aggregate(now, how), aggregate(then, how)
    if how == "sum" and now and then and len(now) != len(then):
        change = delta(aggregate(now, "mean"), aggregate(then, "mean"), per_day=True)
    else:
        change = delta(value, previous)
    return Kpi(key, value, previous, len(now), change)


def kpis(current: Mapping[date, Summary], before: Mapping[date, Summary]) -> list[Kpi]:
    """Every key figure of :data:`KPIS` that the current period has."""
    found = [kpi(key, current, before) for key in KPIS]
    return [k for k in found if k.value is not None]


def series(days: Mapping[date, Summary], period: Period, key: str) -> list[float | int | None]:
    """The daily values of ``key`` over ``period`` (``None`` on a day without it)."""
    return [(days.get(d) or {}).get(key) for d in period.dates()]
