"""The charts of a trained model, measured on its test split: precision-recall curve,
calibration (from ``performance.json``), feature importance, the threshold curve and lift
table (``entrepot.fraud.model.tradeoffs``); and what drift is measured against: each
input's training distribution and the test scores' distribution.

The test probabilities are the ones training measured (features of the test rows as
scoring computes them, ``entrepot.fraud.train.replay``), so the curve agrees with the
reported test AUPRC.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import precision_recall_curve

from entrepot.fraud.model.drift import reference, score_shares
from entrepot.fraud.model.tradeoffs import tradeoffs
from entrepot.fraud.schema.target import label_vector
from entrepot.fraud.train.replay import replayed_features
from entrepot.fraud.train.result import TrainingResult

#: Points kept on the precision-recall curve.
MAX_POINTS = 200
CURVES_FILE = "curves.json"


def thin(values: np.ndarray, points: int = MAX_POINTS) -> np.ndarray:
    """At most ``points`` evenly spaced positions of ``values`` (first and last kept)."""
    if len(values) <= points:
        return np.arange(len(values))
    return np.unique(np.linspace(0, len(values) - 1, points).round().astype(int))


def curves(
    result: TrainingResult, frame: pd.DataFrame, extra: pd.DataFrame | None = None
) -> dict[str, Any]:
    """The chart data of ``result``, trained on ``frame`` (and the ``extra`` training rows
    given to ``train``)."""
    performance = result.performance
    out: dict[str, Any] = {
        "calibration": performance["test"].get("calibration_curve", {}),
        "importance": performance.get("feature_importances", [])[:20],
        "precision_recall": None,
    }
    analysis = result.analysis
    if result.splits is None or analysis.target is None:
        return out
    parts, labels = [], []
    for table in (frame, extra if extra is not None else frame.iloc[0:0]):
        y_part = label_vector(table[analysis.target], analysis.positive)
        known = ~np.isnan(y_part)
        parts.append(table.loc[known, list(frame.columns)])
        labels.append(y_part[known].astype(np.int8))
    data = pd.concat(parts, ignore_index=True)
    y = np.concatenate(labels)
    test = result.splits.test
    proba = result.test_proba
    if proba is None:  # a result made before training kept them
        x = replayed_features(result.model.features, data, y, result.splits)
        proba = result.model.proba_of_features(x.to_numpy(dtype=float)[test])
    precision, recall, _ = precision_recall_curve(y[test], proba)
    keep = thin(recall)
    out["precision_recall"] = {
        "recall": [round(float(v), 5) for v in recall[keep]],
        "precision": [round(float(v), 5) for v in precision[keep]],
        "base_rate": round(float(y[test].mean()), 6),
    }
    out.update(tradeoffs(y[test], proba, performance["threshold"].get("cost_ratio")))
    spec = result.model.features.spec
    # Inputs only: time always moves on, and identifiers (customers, terminals, any
    # repeated id) are keys, not populations to compare.
    keys = {c.name for c in analysis.columns if c.role in ("entity", "id", "timestamp")}
    inputs = [c for c in spec.input_columns if c != spec.timestamp and c not in keys]
    out["drift_reference"] = reference(data.iloc[result.splits.train], inputs)
    out["training_scores"] = score_shares(proba)
    return out
