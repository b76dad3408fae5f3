"""A scored file's precision and recall at the threshold, estimated without labels
(``entrepot.fraud.score.expected``), kept in the prediction's summary under ``estimate``,
with the realised figures beside it once labels are known: the file's own label column
(``source`` ``label``), the analysts' decisions on its rows (``feedback``) or a column of
labels confirmed so far (``late_labels``, ``entrepot fraud score --late-labels``).

Realised figures (:func:`realised`, the one rule for every door): on the scored rows whose
label is known, ``precision = TP / flagged`` and ``recall = TP / frauds``, counted over
those rows only (``None`` when no labelled row is flagged, or none is a fraud). Analysts
mostly decide flagged rows: then the realised precision is that of the rows they
reviewed, and the realised recall counts only the frauds they confirmed.

``estimate``::

    {"method": "cbpe", "interval": "normal", "level": 0.95, "threshold": t,
     "calibration_error": {"center", "slope", "both", "shift"} | null,
     "rows": n, "flagged": k, "expected_tp": .., "expected_fp": .., "expected_fn": ..,
     "expected_frauds": .., "precision": {"value", "low", "high"}, "recall": {...},
     "assumptions": [message, ...], "unfamiliar": bool,
     "realised": {"source", "target", "precision", "recall", "labelled_rows", "frauds",
     "flagged", "true_positives"} | null}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from entrepot.fraud.model.calibration import LevelError
from entrepot.fraud.schema.target import (
    LABEL_THRESHOLD,
    Counted,
    candidates,
    label_vector,
    score_candidate,
)
from entrepot.fraud.score.expected import Estimated, expected_performance, unsupported
from entrepot.fraud_service.summary import number
from entrepot.messages import N_, Message

if TYPE_CHECKING:
    from entrepot.fraud.score.row_slices import Sliced
    from entrepot.fraud.tables.sliced import SlicedTable

#: What the estimate takes for granted, as message keys.
ASSUMPTIONS = (
    Message(N_("estimate.assumption_calibrated")),
    Message(N_("estimate.assumption_no_concept_shift")),
)
#: What an estimate for a file no model reads like its data cannot take for granted.
UNFAMILIAR = Message(N_("estimate.unfamiliar_file"))


def estimate(
    scores: pd.DataFrame | Sliced,
    threshold: float,
    known: Mapping[str, Any] | None = None,
    error: LevelError | None = None,
    unfamiliar: bool = False,
) -> dict[str, Any]:
    """The ``estimate`` of scores ``scores`` (or of their probabilities alone) at
    ``threshold``, with ``known`` (the :func:`realised` figures, if labels are known)
    beside it; ``error`` is how far the probabilities may be off (the ensemble's
    ``level_error``: the calibrators' own error and the fraud rate's moves), which widens
    the interval. ``unfamiliar`` (the ensemble's: its members read the file unlike their
    own data) opens the intervals down to 0 and says why (``expected.unsupported``,
    :data:`UNFAMILIAR`)."""
    p = scores["fraud_probability"].to_numpy(float) if isinstance(scores, pd.DataFrame) else scores
    found = expected_performance(p, threshold, error=error)
    if unfamiliar:
        found = unsupported(found)
    said = [*ASSUMPTIONS, UNFAMILIAR] if unfamiliar else list(ASSUMPTIONS)
    return {
        "method": "cbpe",
        "interval": "normal",
        "level": found.level,
        "calibration_error": None if error is None else asdict(error),
        "threshold": number(found.threshold),
        "rows": found.rows,
        "flagged": found.flagged,
        "expected_tp": number(found.expected_tp),
        "expected_fp": number(found.expected_fp),
        "expected_fn": number(found.expected_fn),
        "expected_frauds": number(found.expected_frauds),
        "precision": _figure(found.precision),
        "recall": _figure(found.recall),
        "assumptions": [m.to_json() for m in said],
        "unfamiliar": unfamiliar,
        "realised": None if known is None else dict(known),
    }


def realised(
    flagged: np.ndarray, labels: np.ndarray, source: str, target: str | None = None
) -> dict[str, Any] | None:
    """Precision and recall at the threshold on the rows whose label is known: ``flagged``
    (one flag per scored row), ``labels`` (1.0 fraud, 0.0 legitimate, NaN unknown, one per
    scored row); ``source`` and ``target`` say where the labels come from. ``None``
    without any known label."""
    y = np.asarray(labels, dtype=float)
    flags = np.asarray(flagged, dtype=bool)
    if len(y) != len(flags):
        raise ValueError(f"{len(y)} labels for {len(flags)} scored rows")
    return _figures(_counted(flags, y), source, target)


def _counted(flags: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The labelled rows, their frauds, their flagged rows and the flagged frauds."""
    known = np.isfinite(y)
    fraud, flag = y[known] == 1.0, flags[known]
    return np.array([known.sum(), fraud.sum(), flag.sum(), (fraud & flag).sum()], np.int64)


def _figures(counts: np.ndarray, source: str, target: str | None) -> dict[str, Any] | None:
    labelled, frauds, k, tp = (int(c) for c in counts)
    if not labelled:
        return None
    return {
        "source": source,
        "target": target,
        "precision": number(tp / k) if k else None,
        "recall": number(tp / frauds) if frauds else None,
        "labelled_rows": labelled,
        "frauds": frauds,
        "flagged": k,
        "true_positives": tp,
    }


def sliced_realised(
    table: SlicedTable, target: str | None, flagged: Sliced
) -> dict[str, Any] | None:
    """:func:`realised` against the own label column ``target`` of a table held on disk
    in slices (as :func:`file_labels` reads it): its two values found from each slice's
    counts (:func:`_sliced_positive`), each slice's labels counted in turn, never all held
    (at 20M rows the column and three arrays of its length at once, then the labels
    through the figures)."""
    if target is None or target not in table.columns:
        return None
    positive = _sliced_positive(table, target)
    if positive is None:
        return None
    counts = np.zeros(4, dtype=np.int64)
    at = 0
    for piece in table.pieces([target]):
        y = label_vector(piece[target], positive)
        counts += _counted(np.asarray(flagged[at : at + len(y)], dtype=bool), y)
        at += len(y)
    return _figures(counts, "label", target)


def _sliced_positive(table: SlicedTable, target: str) -> object | None:
    """The fraud value of the label column ``target`` of a table on disk, as
    :func:`score_candidate` finds it on the whole column (``None``: not two values; a
    missing value is none), from each slice's counts of its values added up (reading the
    whole column, at 20M rows 160 MB and as much again while its slices were joined, was
    the peak of a scoring's figures: ``fraud.tables.label_counts``)."""
    from entrepot.fraud.tables.label_counts import sliced_counter

    candidate = score_candidate(table.head(table.rows), target, sliced_counter(table))
    return None if candidate is None else candidate.positive


def file_labels(frame: pd.DataFrame, target: str | None) -> np.ndarray | None:
    """The file's own label column ``target`` as one label per row, or ``None`` when it
    has none or it is not a two-valued label."""
    if target is None or target not in frame.columns:
        return None
    candidate = score_candidate(frame, target)
    return None if candidate is None else label_vector(frame[target], candidate.positive)


def label_of(frame: pd.DataFrame, counted: Counted | None = None) -> str | None:
    """The file's label column, when one is clearly there (as the analysis finds it);
    ``counted``: as ``score_candidate``, where ``frame`` holds the file's first rows."""
    found = candidates(frame.rename(columns=str), counted=counted)
    return found[0].column if found and found[0].score >= LABEL_THRESHOLD else None


def sliced_label(table: SlicedTable) -> str | None:
    """:func:`label_of` of a table held on disk in slices: the same column, each column
    that may be a label counted a slice at a time (``fraud.tables.label_counts``), never
    read whole (at 20M rows the label column and its join were 230 MiB, the peak of a
    scoring before its parts were cut)."""
    from entrepot.fraud.tables.label_counts import sliced_counter

    return label_of(table.head(table.rows), sliced_counter(table))


def _figure(found: Estimated) -> dict[str, float | None]:
    return {
        "value": _maybe(found.value),
        "low": _maybe(found.low),
        "high": _maybe(found.high),
    }


def _maybe(value: float | None) -> float | None:
    return None if value is None or not np.isfinite(value) else number(value)
