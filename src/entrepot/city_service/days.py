"""Which days a city run covers: ``--date D``, or ``--since D [--until D]``, bounded."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from entrepot.city.days import days_between, paris, parse_day
from entrepot.errors import InvalidArgument
from entrepot.messages import N_, Message

#: Longest range one ``run`` accepts (a typo in a year would otherwise mean decades); the
#: traffic scans are chunked (``city.runs.TRAFFIC_CHUNK_DAYS``), so years are fine.
MAX_DAYS = 3660


def yesterday() -> date:
    """The Paris local day before today."""
    return datetime.now(paris()).date() - timedelta(days=1)


def run_days(day: str | None, since: str | None, until: str | None) -> list[date]:
    """The days a ``run`` covers: ``--date D``, or ``--since D [--until D]`` (until
    defaults to yesterday, Paris time)."""
    if (day is None) == (since is None):
        raise InvalidArgument(
            "give either --date or --since",
            hint="e.g. --date 2025-11-04 or --since 2025-11-01",
            said=Message(N_("error.city.days_one_of")),
        )
    if until is not None and since is None:
        raise InvalidArgument(
            "--until goes with --since",
            hint="e.g. --since D1 --until D2",
            said=Message(N_("error.city.until_without_since")),
        )
    if day is not None:
        return [parse_day(day)]
    assert since is not None
    first = parse_day(since)
    last = parse_day(until) if until is not None else yesterday()
    if last < first:
        raise InvalidArgument(
            f"--since {first} is after --until {last}",
            hint="the range is inclusive and --until defaults to yesterday",
            said=Message(
                N_("error.city.days_reversed"),
                {"since": first.isoformat(), "until": last.isoformat()},
            ),
        )
    if (last - first).days >= MAX_DAYS:
        raise InvalidArgument(
            f"{first} to {last} is more than {MAX_DAYS} days",
            hint="run it in smaller ranges",
            said=Message(
                N_("error.city.days_too_many"),
                {"since": first.isoformat(), "until": last.isoformat(), "days": MAX_DAYS},
            ),
        )
    return list(days_between(first, last))
