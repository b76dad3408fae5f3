"""Which ``station_information`` describes a day's Vélib' capacities.

Capacities change (stations open, close, gain docks), so a snapshot is checked against the
capacities of its own time: its own capacity column when it has one (the portal CSV's
``Capacité de la station``), else a ``station_information`` version taken within
:data:`CAPACITY_TOLERANCE` of the day, else none (the document says why). The newest
version still places stations that lack coordinates: positions barely change.

A version's time is its as-of instant (the import keys a ``station_information`` by its own
``lastUpdatedOther``); the generator's single file (no as-of) describes the days it
generated. :func:`capacities` reads a version's capacities.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from entrepot.city import layout
from entrepot.city.days import day_hours
from entrepot.city.errors import RawFormatError
from entrepot.city.lake import InputRef
from entrepot.messages import N_, Message

#: How far from the day a ``station_information`` may have been taken to give its capacities.
CAPACITY_TOLERANCE = timedelta(days=1)


@dataclass(frozen=True)
class StationVersions:
    """The versions the bike metrics of one day read: ``newest`` for positions, ``dated``
    (the version of the day, or None) for capacities."""

    newest: InputRef
    dated: InputRef | None
    nearest: datetime | None

    @property
    def refs(self) -> tuple[InputRef, ...]:
        """What is read, each once."""
        if self.dated is None or self.dated.key == self.newest.key:
            return (self.newest,)
        return (self.dated, self.newest)

    def label(self) -> str | None:
        """``station_information of <date>`` for the dated version, None without one."""
        if self.dated is None:
            return None
        taken = layout.version_as_of(self.dated.key)
        if taken is None:
            return "station_information (generated)"
        return f"station_information of {taken.date().isoformat()}"


def versions_for(refs: Sequence[InputRef], day: date) -> StationVersions:
    """The newest of ``refs`` (oldest first) and the one taken nearest ``day``, if within
    :data:`CAPACITY_TOLERANCE` of it."""
    hours = day_hours(day)
    start, end = hours[0].start, hours[-1].end
    best: tuple[timedelta, InputRef, datetime | None] | None = None
    for ref in refs:  # oldest first: on a tie the newer wins
        taken = layout.version_as_of(ref.key)
        # the generator's file (no as-of) describes the days it made
        gap = timedelta(0) if taken is None else max(start - taken, taken - end, timedelta(0))
        if best is None or gap <= best[0]:
            best = (gap, ref, taken)
    if best is None:
        raise ValueError("no station_information version")
    dated = best[1] if best[0] <= CAPACITY_TOLERANCE else None
    return StationVersions(refs[-1], dated, best[2])


def capacities(doc: Any, key: str) -> dict[str, int]:
    """Station id and code -> capacity, from a ``station_information`` document."""
    try:
        stations = doc["data"]["stations"]
        result: dict[str, int] = {}
        for s in stations:
            result[str(s["station_id"])] = int(s["capacity"])
            if "stationCode" in s:
                result[str(s["stationCode"])] = int(s["capacity"])
    except (KeyError, TypeError, ValueError):
        raise RawFormatError(
            "not a station_information document",
            key=key,
            said=Message(N_("error.city.not_station_information"), {"file": key}),
        ) from None
    return result
