"""Which days a snapshot export can describe: the chantiers export lists the works known on
its as-of date (the date carried by its version key, see :mod:`entrepot.city.layout`).

A day more than :data:`SLACK_DAYS` after the as-of date is refused (works announced later
are unknown: "no data", not an empty city); a day more than :data:`SLACK_DAYS` before it is
computed with a warning (works finished and removed before the export are missing).
"""

from __future__ import annotations

from datetime import date, timedelta

from entrepot.city import layout
from entrepot.city.errors import MissingInput
from entrepot.messages import N_, Message

#: Days either side of the as-of date a snapshot is taken to describe as it stands.
SLACK_DAYS = 7


def snapshot_notes(key: str, day: date) -> list[str]:
    """Warnings for using the snapshot at ``key`` on ``day``; raises :class:`MissingInput`
    for a day after what it can describe. A legacy key (no as-of date) gives none."""
    as_of = layout.version_as_of(key)
    if as_of is None:
        return []
    known = as_of.date()
    if day > known + timedelta(days=SLACK_DAYS):
        raise MissingInput(
            f"the newest roadworks export is as of {known}; it cannot describe {day}",
            key=key,
            hint="import a newer chantiers-perturbants.csv export",
            said=Message(
                N_("error.city.roadworks_too_old"),
                {"known": str(known), "day": str(day), "file": key},
            ),
        )
    if day < known - timedelta(days=SLACK_DAYS):
        return [
            f"the roadworks export is as of {known}: works finished before then and removed "
            f"from it are not counted on {day}"
        ]
    return []
