"""A scored file's precision and recall at the threshold, estimated without labels
(``entrepot.fraud.score.expected``), kept in the prediction's summary under ``estimate``,
with the realised figures beside it once labels are known (the file's own label column).

``estimate``::

    {"method": "cbpe", "interval": "normal", "level": 0.95, "threshold": t,
     "rows": n, "flagged": k, "expected_tp": .., "expected_fp": .., "expected_fn": ..,
     "expected_frauds": .., "precision": {"value", "low", "high"}, "recall": {...},
     "assumptions": [message, ...], "realised": {"source", "precision", "recall",
     "labelled_rows", "frauds"} | null}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from entrepot.fraud.schema.target import LABEL_THRESHOLD, candidates
from entrepot.fraud.score.expected import Estimated, expected_performance
from entrepot.fraud_service.summary import number
from entrepot.messages import N_, Message

#: What the estimate takes for granted, as message keys.
ASSUMPTIONS = (
    Message(N_("estimate.assumption_calibrated")),
    Message(N_("estimate.assumption_no_concept_shift")),
)


def estimate(
    scores: pd.DataFrame, threshold: float, evaluation: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The ``estimate`` of scores ``scores`` at ``threshold``; with ``evaluation`` (against
    the file's label, ``review.evaluation``) the realised figures beside it."""
    found = expected_performance(scores["fraud_probability"].to_numpy(dtype=float), threshold)
    return {
        "method": "cbpe",
        "interval": "normal",
        "level": found.level,
        "threshold": number(found.threshold),
        "rows": found.rows,
        "flagged": found.flagged,
        "expected_tp": number(found.expected_tp),
        "expected_fp": number(found.expected_fp),
        "expected_fn": number(found.expected_fn),
        "expected_frauds": number(found.expected_frauds),
        "precision": _figure(found.precision),
        "recall": _figure(found.recall),
        "assumptions": [m.to_json() for m in ASSUMPTIONS],
        "realised": realised_from_label(evaluation),
    }


def realised_from_label(evaluation: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Precision and recall measured against the file's own label, if it has one."""
    if not evaluation:
        return None
    return {
        "source": "label",
        "target": evaluation.get("target"),
        "precision": evaluation.get("precision"),
        "recall": evaluation.get("recall"),
        "labelled_rows": evaluation.get("rows"),
        "frauds": evaluation.get("frauds"),
    }


def label_of(frame: pd.DataFrame) -> str | None:
    """The file's label column, when one is clearly there (as the analysis finds it)."""
    found = candidates(frame.rename(columns=str))
    return found[0].column if found and found[0].score >= LABEL_THRESHOLD else None


def _figure(found: Estimated) -> dict[str, float | None]:
    return {
        "value": _maybe(found.value),
        "low": _maybe(found.low),
        "high": _maybe(found.high),
    }


def _maybe(value: float | None) -> float | None:
    return None if value is None or not np.isfinite(value) else number(value)
