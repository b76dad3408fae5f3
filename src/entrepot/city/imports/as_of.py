"""When a batch export was taken: from its content, else from ``--as-of``, never its mtime.

The as-of instant orders a batch file's versions (the newest wins) and dates the stations'
capacities. In order (ADR 0043):

- a ``station_information`` says it (``lastUpdatedOther`` / ``last_updated``): its
  capacities are those of that date, so it wins over ``--as-of`` (a note says so when they
  disagree by more than :data:`~entrepot.city.stations.CAPACITY_TOLERANCE`);
- ``--as-of`` when given;
- a counts export is at least as recent as the end of the last day it counts;
- the référentiel and the chantiers say nothing of when they were taken: without
  ``--as-of`` they are refused (the file's modification time says when it was copied,
  not when it was exported).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from entrepot.city.days import paris
from entrepot.city.errors import RawFormatError
from entrepot.city.imports import notes
from entrepot.city.imports.batch import Checked
from entrepot.city.imports.detect import Detected
from entrepot.city.stations import CAPACITY_TOLERANCE
from entrepot.messages import N_, Message

HINT = "pass --as-of YYYY-MM-DD (or YYYY-MM-DDTHH:MM, Paris time): the day it was downloaded"


def batch_as_of(
    detected: Detected, checked: Checked, name: str, as_of: datetime | None
) -> tuple[datetime, list[str]]:
    """The as-of instant of a checked batch file and the notes it gives; raises
    :class:`RawFormatError` when neither the content nor ``as_of`` says it."""
    if detected.kind == "gbfs-information":
        return _information(detected, name, as_of)
    if as_of is not None:
        return as_of, []
    if detected.kind == "counts":
        return counts_as_of(checked, name), []
    raise RawFormatError(
        f"{name}: a {detected.kind} export does not say when it was taken",
        key=name,
        hint=HINT,
        said=Message(N_("error.city.as_of_unknown"), {"file": name, "kind": detected.kind}),
    )


def counts_as_of(checked: Checked, name: str) -> datetime:
    """A counts export's as-of: the end (Paris midnight) of the last day it counts."""
    if checked.last_day is None:
        raise RawFormatError(
            f"{name}: no counted day to date it by",
            key=name,
            hint=HINT,
            said=Message(N_("error.city.as_of_no_day"), {"file": name}),
        )
    end = datetime.combine(checked.last_day + timedelta(days=1), time(0), tzinfo=paris())
    return end.astimezone(UTC)


def _information(
    detected: Detected, name: str, as_of: datetime | None
) -> tuple[datetime, list[str]]:
    stamp = detected.document.get("lastUpdatedOther", detected.document.get("last_updated"))
    try:
        own = datetime.fromtimestamp(int(stamp), UTC)
    except (TypeError, ValueError, OverflowError):
        if as_of is None:
            raise RawFormatError(
                f"{name}: a station_information without lastUpdatedOther or last_updated "
                "does not say when it was taken",
                key=name,
                hint=HINT,
                said=Message(N_("error.city.as_of_information"), {"file": name}),
            ) from None
        return as_of, []
    if as_of is not None and abs(as_of - own) > CAPACITY_TOLERANCE:
        taken, given = own.date().isoformat(), as_of.date().isoformat()
        return own, [notes.information_taken_on(name, taken, given)]
    return own, []
