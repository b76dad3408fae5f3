"""The review of a prediction's flagged rows as a queue that keeps its place: the rows at
or above the threshold (risk ``high`` and ``critical``), highest risk first, each with the
decision already recorded on it; where the analyst stands (the first row still undecided,
or a row asked for, as after an undo) and how many rows are left. Nothing is kept in the
browser: a reload reads the decisions again and stands on the next undecided row.

A filter keeps one risk level (``critical``, ``high``, or ``medium``: the kept rows just
under the threshold, which the flagged queue leaves out); each filter keeps its own place
and its own count of rows left, and the queue says how many are left under every filter."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from entrepot.catalog.feedback.records import FeedbackRecord
from entrepot.catalog.workspace.records import PredictionRecord
from entrepot.fraud_service.errors import UnknownRiskFilter
from entrepot.messages import N_, Message

#: Risk levels the review walks (``high`` and ``critical``: at or above the threshold).
FLAGGED = frozenset({"high", "critical"})
#: The filters, in the order the page offers them, and the risk levels each keeps.
RISK_FILTERS: Mapping[str, frozenset[str]] = {
    "flagged": FLAGGED,
    "critical": frozenset({"critical"}),
    "high": frozenset({"high"}),
    "medium": frozenset({"medium"}),
}
DEFAULT_FILTER = "flagged"


@dataclass(frozen=True)
class ReviewQueue:
    """A prediction's rows under the filter ``risk`` (``top`` rows as stored), the
    decisions on the prediction by row (1 fraud, 0 legitimate), the position of the row to
    show (``len(rows)`` when none is left), how many rows are still undecided, and that
    count under each filter (``left_by_filter``, in :data:`RISK_FILTERS` order)."""

    prediction: PredictionRecord
    rows: Sequence[Mapping[str, Any]]
    decided: Mapping[int, int]
    start: int
    left: int
    risk: str = DEFAULT_FILTER
    left_by_filter: Mapping[str, int] = field(default_factory=dict)

    @property
    def filtered(self) -> bool:
        """Whether a filter other than the default one is in force."""
        return self.risk != DEFAULT_FILTER


def check_filter(risk: str | None) -> str:
    """``risk`` as a filter name (none: :data:`DEFAULT_FILTER`); raises
    :class:`UnknownRiskFilter` naming the accepted ones."""
    if risk is None or risk == "":
        return DEFAULT_FILTER
    if risk not in RISK_FILTERS:
        accepted = ", ".join(RISK_FILTERS)
        raise UnknownRiskFilter(
            f"there is no risk filter {risk[:40]!r}: the review filters by {accepted}",
            said=Message(N_("error.fraud.risk_filter"), {"risk": risk[:40], "accepted": accepted}),
        )
    return risk


def review_queue(
    prediction: PredictionRecord,
    decisions: Iterable[FeedbackRecord],
    at_row: int | None = None,
    risk: str | None = None,
) -> ReviewQueue:
    """The queue of ``prediction`` given its ``decisions`` under the filter ``risk`` (see
    :func:`check_filter`), standing on row ``at_row`` when it is one of its rows, else on
    the first one still undecided."""
    risk = check_filter(risk)
    decided = {d.row: d.label for d in decisions}
    top = [r for r in prediction.summary.get("top", []) if isinstance(r, Mapping)]
    left_by_filter = {
        name: sum(1 for r in top if r.get("risk_level") in levels and int(r["row"]) not in decided)
        for name, levels in RISK_FILTERS.items()
    }
    rows = [r for r in top if r.get("risk_level") in RISK_FILTERS[risk]]
    numbers = [int(r["row"]) for r in rows]
    open_rows = [i for i, row in enumerate(numbers) if row not in decided]
    if at_row is not None and at_row in numbers:
        start = numbers.index(at_row)
    else:
        start = open_rows[0] if open_rows else len(rows)
    return ReviewQueue(prediction, rows, decided, start, len(open_rows), risk, left_by_filter)
