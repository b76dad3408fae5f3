"""The late labels a scoring reads (ADR 0046): from a labelled history file and a column
of the scored file holding the labels confirmed so far, or from the analysts' decisions
on the rows of the scored dataset; and what is said of them (``known_labels`` in a
summary)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from entrepot.catalog.feedback.records import FeedbackRecord
from entrepot.fraud.errors import TargetNotFound
from entrepot.fraud.score.ensemble import Ensemble
from entrepot.fraud.score.known_labels import KnownLabels, labelled_history, own_labels
from entrepot.fraud.score.scoring import reads_labels
from entrepot.messages import N_, Message


def known_labels(
    frame: pd.DataFrame,
    *,
    history: pd.DataFrame | None = None,
    column: str | None = None,
    decisions: Sequence[Sequence[int]] | None = None,
) -> tuple[pd.DataFrame, KnownLabels | None]:
    """The file to score and the labels known, merged once for every door: ``history``'s
    labels (a labelled file of earlier transactions), and the labels confirmed on the
    scored rows, from ``column`` of ``frame`` (then left out of the scored columns) or from
    the analysts' ``(row, label)`` ``decisions`` (rows numbered from 1). ``None`` when
    nothing is known."""
    found = labelled_history(history) if history is not None else None
    rows: np.ndarray | None = None
    if column is not None:
        if column not in frame.columns:
            raise TargetNotFound(
                f"the file has no column {column!r} to read late labels from; its columns "
                "are: " + ", ".join(map(str, frame.columns)),
                said=Message(
                    N_("error.fraud.no_label_column"),
                    {"column": str(column), "columns": ", ".join(map(str, frame.columns))},
                ),
            )
        frame, rows = own_labels(frame, column)
    elif decisions:
        labels = decided(len(frame), decisions)
        rows = labels if np.isfinite(labels).any() else None
    if found is None:
        return frame, None if rows is None else KnownLabels(rows=rows)
    return frame, KnownLabels(rows, found.history, found.history_labels)


def known_labels_summary(
    known: KnownLabels | None, ensemble: Ensemble | None = None
) -> dict[str, Any] | None:
    """``{"labels", "frauds", "history_rows"}`` of the labels given, or ``None``; with the
    ``ensemble`` that scored, also ``models`` and ``models_reading`` (how many of its
    models have features that read past labels), and ``note``, the message
    ``known_labels.not_read`` when none does: then the labels changed no score, and only
    measure the realised figures."""
    if known is None:
        return None
    found: dict[str, Any] = {
        "labels": known.count,
        "frauds": known.frauds(),
        "history_rows": known.history_rows,
    }
    if ensemble is not None:
        reading = sum(reads_labels(model) for model in ensemble.models)
        found["models"] = len(ensemble.models)
        found["models_reading"] = reading
        if not reading:
            found["note"] = Message(N_("known_labels.not_read")).to_json()
    return found


def confirmed_rows(decisions: Iterable[FeedbackRecord]) -> tuple[tuple[int, int], ...]:
    """``(row, label)`` of every row the analysts decided, by row; decisions oldest first,
    so a row decided on several predictions of one dataset keeps its latest label."""
    latest = {d.row: d.label for d in decisions}
    return tuple(sorted(latest.items()))


def decided(count: int, decisions: Sequence[Sequence[int]] | None) -> np.ndarray:
    """One label per row of a file of ``count`` rows from ``(row, label)`` decisions (rows
    numbered from 1; rows past the end ignored), NaN where none was given."""
    labels = np.full(count, np.nan)
    for row, label in decisions or ():
        if 1 <= row <= count:
            labels[row - 1] = float(label)
    return labels
