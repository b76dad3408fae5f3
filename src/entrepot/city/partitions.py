"""Pure parsing and pruning of hive partitions ``dt=YYYY-MM-DD/hour=HH`` (no I/O).

Partitions are Paris local wall-clock days and hours. A key that does not
follow ``<source>/dt=YYYY-MM-DD/hour=HH/<file>`` raises :class:`PartitionError`
naming it; names starting with ``_`` (``_SUCCESS`` markers) are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from entrepot.city.days import day_hours
from entrepot.city.errors import PartitionError
from entrepot.messages import N_, Message

_DT = re.compile(r"dt=(\d{4}-\d{2}-\d{2})")
_HOUR = re.compile(r"hour=(\d{2})")


@dataclass(frozen=True, order=True, slots=True)
class Partition:
    """One hourly partition of a source."""

    source: str
    day: date
    hour: int


def is_marker(name: str) -> bool:
    """Whether a file or folder name is bookkeeping to skip (``_SUCCESS``, ``_temporary``)."""
    return name.startswith("_")


def parse_day(segment: str, key: str) -> date:
    """``dt=YYYY-MM-DD`` -> the date; anything else raises naming ``key``."""
    match = _DT.fullmatch(segment)
    if not match:
        raise PartitionError(
            f"expected a 'dt=YYYY-MM-DD' folder, found {segment!r}",
            key=key,
            said=Message(
                N_("error.city.partition_day_folder"), {"found": segment[:100], "key": key}
            ),
        )
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        raise PartitionError(
            f"{segment!r} is not a real date",
            key=key,
            said=Message(
                N_("error.city.partition_not_a_date"), {"found": segment[:100], "key": key}
            ),
        ) from None


def parse_hour(segment: str, day: date, key: str) -> int:
    """``hour=HH`` -> the local hour, which must exist on ``day``."""
    match = _HOUR.fullmatch(segment)
    if not match:
        raise PartitionError(
            f"expected an 'hour=HH' folder, found {segment!r}",
            key=key,
            said=Message(
                N_("error.city.partition_hour_folder"), {"found": segment[:100], "key": key}
            ),
        )
    hour = int(match.group(1))
    if hour not in local_hours(day):
        raise PartitionError(
            f"hour {hour:02d} does not exist on the Paris local day {day}",
            key=key,
            said=Message(
                N_("error.city.partition_no_such_hour"),
                {"hour": f"{hour:02d}", "day": str(day), "key": key},
            ),
        )
    return hour


def parse_key(source: str, source_prefix: str, key: str) -> tuple[Partition, str] | None:
    """Partition and file name of a full ``key`` under ``source_prefix``; None for markers."""
    rest = key[len(source_prefix) :] if key.startswith(source_prefix) else None
    if rest is None:
        raise PartitionError(
            f"key is not under {source_prefix!r}",
            key=key,
            said=Message(
                N_("error.city.partition_outside_source"), {"prefix": source_prefix, "key": key}
            ),
        )
    parts = rest.split("/")
    if any(is_marker(p) for p in parts):
        return None
    if len(parts) != 3:
        raise PartitionError(
            "expected <source>/dt=YYYY-MM-DD/hour=HH/<file>, "
            f"found {len(parts) - 1} folder level(s) under the source",
            key=key,
            said=Message(N_("error.city.partition_depth"), {"levels": len(parts) - 1, "key": key}),
        )
    day = parse_day(parts[0], key)
    hour = parse_hour(parts[1], day, key)
    return Partition(source, day, hour), parts[2]


def local_hours(day: date) -> frozenset[int]:
    """Wall-clock hours that exist on a local day (no 02 on the spring change)."""
    return frozenset(h.hour for h in day_hours(day))


def prune(days: Iterable[date], start: date | None = None, end: date | None = None) -> list[date]:
    """The days within ``[start, end]`` (either bound optional), sorted."""
    return sorted(d for d in days if (start is None or d >= start) and (end is None or d <= end))
