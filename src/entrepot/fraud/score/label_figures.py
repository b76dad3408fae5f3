"""A scoring measured against its rows' labels, once for every table: a table in memory
(``scoring.evaluate_frame``) and one held on disk in slices, whose labels are read a slice
at a time and whose member scores are read back from disk (``fraud_service.pipeline
.evaluation``). AUPRC, ROC-AUC, precision, recall and the confusion counts at the
ensemble's threshold, each member's AUPRC at its own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from entrepot.fraud.errors import SingleClass
from entrepot.fraud.model.metrics import evaluate
from entrepot.fraud.score.ensemble import Ensemble
from entrepot.messages import N_, Message


def check_classes(label: str, y: np.ndarray) -> None:
    """:class:`SingleClass` unless the labelled rows of ``y`` (1 fraud, 0 legitimate, NaN
    unknown) hold both classes: checked before any row is scored."""
    known = int(np.count_nonzero(~np.isnan(y)))
    frauds = int(np.nansum(y))
    if frauds == 0 or frauds == known:
        raise SingleClass(
            f"the label {label!r} holds a single class among {known} labelled rows: "
            "evaluation needs frauds and legitimate rows",
            said=Message(
                N_("error.fraud.evaluation_single_class"), {"column": str(label), "labelled": known}
            ),
        )


def measured(
    label: str,
    y: np.ndarray,
    proba: np.ndarray,
    column: Callable[[str], np.ndarray],
    ensemble: Ensemble,
) -> dict[str, Any]:
    """The figures of the probabilities ``proba`` and of each member's scores (``column``
    gives a scores' column by name) on the rows whose label ``y`` is known (its classes
    checked first: :func:`check_classes`, before the rows are scored)."""
    known = ~np.isnan(y)
    y_known = y[known].astype(int)
    metrics = evaluate(y_known, proba[known], ensemble.threshold)
    members = {
        m.name: evaluate(y_known, column(m.column)[known], m.threshold)["auprc"]
        for m in ensemble.members
    }
    return {"target": label, "metrics": metrics, "member_auprc": members}
