"""The review of a prediction's flagged rows as a queue that keeps its place: the rows at
or above the threshold (risk ``high`` and ``critical``), highest risk first, each with the
decision already recorded on it; where the analyst stands (the first row still undecided,
or a row asked for, as after an undo) and how many rows are left. Nothing is kept in the
browser: a reload reads the decisions again and stands on the next undecided row."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from entrepot.catalog.feedback.records import FeedbackRecord
from entrepot.catalog.workspace.records import PredictionRecord

#: Risk levels the review walks (``high`` and ``critical``: at or above the threshold).
FLAGGED = frozenset({"high", "critical"})


@dataclass(frozen=True)
class ReviewQueue:
    """A prediction's flagged rows (``top`` rows as stored), the decisions on the
    prediction by row (1 fraud, 0 legitimate), the position of the row to show (``len(rows)``
    when none is left) and how many flagged rows are still undecided."""

    prediction: PredictionRecord
    rows: Sequence[Mapping[str, Any]]
    decided: Mapping[int, int]
    start: int
    left: int


def review_queue(
    prediction: PredictionRecord, decisions: Iterable[FeedbackRecord], at_row: int | None = None
) -> ReviewQueue:
    """The queue of ``prediction`` given its ``decisions``, standing on row ``at_row`` when
    it is one of the flagged rows, else on the first one still undecided."""
    decided = {d.row: d.label for d in decisions}
    rows = [r for r in prediction.summary.get("top", []) if r.get("risk_level") in FLAGGED]
    numbers = [int(r["row"]) for r in rows]
    open_rows = [i for i, row in enumerate(numbers) if row not in decided]
    if at_row is not None and at_row in numbers:
        start = numbers.index(at_row)
    else:
        start = open_rows[0] if open_rows else len(rows)
    return ReviewQueue(prediction, rows, decided, start, len(open_rows))
