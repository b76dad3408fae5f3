"""The realised figures' rule (``fraud_service/estimate.py`` ``realised``), against
scikit-learn's precision and recall on the labelled rows; and what a summary of known
labels says when no model of the ensemble reads them."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

import numpy as np
import pytest
from sklearn.metrics import precision_score, recall_score

from entrepot.fraud.score.ensemble import Ensemble
from entrepot.fraud.score.known_labels import KnownLabels
from entrepot.fraud_service.estimate import realised
from entrepot.fraud_service.known import decided, known_labels_summary


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_realised_figures_are_precision_and_recall_on_the_labelled_rows(seed: int) -> None:
    rng = np.random.default_rng(seed)
    flagged = rng.random(5000) < 0.1
    truth = (rng.random(5000) < np.where(flagged, 0.6, 0.03)).astype(float)
    labels = np.where(rng.random(5000) < 0.3, truth, np.nan)  # 30 % labelled so far
    found = realised(flagged, labels, "feedback")
    assert found is not None
    known = ~np.isnan(labels)
    y, f = labels[known].astype(int), flagged[known].astype(int)
    assert found["precision"] == pytest.approx(precision_score(y, f), abs=1e-6)
    assert found["recall"] == pytest.approx(recall_score(y, f), abs=1e-6)
    assert found["labelled_rows"] == int(known.sum()) and found["frauds"] == int(y.sum())
    assert found["flagged"] == int(f.sum()) and found["true_positives"] == int((y & f).sum())


def test_undefined_figures_are_none_and_no_label_is_no_figure() -> None:
    flagged = np.array([False, False, True])
    only_legitimate = realised(flagged, np.array([0.0, 0.0, np.nan]), "feedback")
    assert only_legitimate is not None
    assert only_legitimate["precision"] is None and only_legitimate["recall"] is None
    assert realised(flagged, np.full(3, np.nan), "feedback") is None
    with pytest.raises(ValueError, match="2 labels for 3 scored rows"):
        realised(flagged, np.array([1.0, 0.0]), "feedback")


def test_decisions_become_one_label_per_row() -> None:
    labels = decided(4, [(2, 1), (4, 0), (9, 1)])  # row 9 is past the end
    np.testing.assert_array_equal(np.isnan(labels), [True, False, True, False])
    assert labels[1] == 1.0 and labels[3] == 0.0


def _ensemble(*reading: bool) -> Ensemble:
    """A stand-in ensemble whose models read past labels or not (what
    ``scoring.reads_labels`` looks at: the features' labels, a time and a counterparty)."""
    models = [
        SimpleNamespace(
            features=SimpleNamespace(
                uses_labels=r, spec=SimpleNamespace(timestamp="t", counterparties=("terminal",))
            )
        )
        for r in reading
    ]
    return cast(Ensemble, SimpleNamespace(models=models))


def test_the_summary_says_when_no_model_reads_the_labels() -> None:
    known = KnownLabels(rows=np.array([1.0, np.nan, 0.0]))
    none_read = known_labels_summary(known, _ensemble(False, False))
    assert none_read == {
        "labels": 2,
        "frauds": 1,
        "history_rows": 0,
        "models": 2,
        "models_reading": 0,
        "note": {"key": "known_labels.not_read", "params": {}},
    }
    one_reads = known_labels_summary(known, _ensemble(False, True))
    assert one_reads is not None and one_reads["models_reading"] == 1 and "note" not in one_reads
    assert known_labels_summary(None, _ensemble(True)) is None
