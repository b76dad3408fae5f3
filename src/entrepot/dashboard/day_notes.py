"""What a day page says beside its day: the clock change of a 23- or 25-hour Paris day,
and the quick ranges the period pages offer (the last 7, 30, 90 days, this month, all),
as links to the period page counted back from the last day with data."""

from __future__ import annotations

from datetime import date

from entrepot.city_service.records import hours_in_day, quick_ranges
from entrepot.dashboard.period_pages import QUICK_LABELS
from entrepot.dashboard.periods import MAX_DAYS
from entrepot.i18n import Translator
from entrepot.i18n.catalogs import N_

#: The period page the quick ranges open (``entrepot.dashboard.period_pages``).
PERIOD_PAGE = "/dashboard/city/periode"


#: The note of a day of 23 hours (spring) and of 25 (autumn).
CLOCK_CHANGES = {23: N_("dash.clock_change.short"), 25: N_("dash.clock_change.long")}


def clock_change(day: date) -> str | None:
    """The message key of the note a Paris day of 23 hours (the hour from 2:00 to 3:00
    does not exist) or 25 (it comes twice) carries; ``None`` for a day of 24 hours."""
    return CLOCK_CHANGES.get(hours_in_day(day))


def day_quick_ranges(first: date, last: date, t: Translator) -> list[tuple[str, str]]:
    """``(words, address)`` of each quick range, counted back from ``last``."""
    return [
        (t(QUICK_LABELS[q.key]), f"{PERIOD_PAGE}?from={q.range.start}&to={q.range.end}")
        for q in quick_ranges(last, first, MAX_DAYS)
    ]
