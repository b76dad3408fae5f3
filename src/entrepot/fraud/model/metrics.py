"""Honest evaluation of fraud scores: ranking, threshold, calibration.

Everything here is a pure function of labels and probabilities, so it can be run on the
validation split (to choose) and on the test split (to report) alike.
"""

from __future__ import annotations

import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score


def choose_threshold(y: np.ndarray, proba: np.ndarray, *, cost_ratio: float | None = None) -> float:
    """The decision threshold: best F1, or with ``cost_ratio`` (cost of a missed fraud over
    the cost of a false alarm) the lowest total cost ``FP + cost_ratio * FN``."""
    y = np.asarray(y, dtype=int)
    order = np.argsort(-proba, kind="stable")
    p, t = proba[order], y[order]
    last = np.r_[np.flatnonzero(np.diff(p) != 0), len(p) - 1]  # end of each tie group
    tp = np.cumsum(t)[last]
    fp = (last + 1) - tp
    positives = int(t.sum())
    if cost_ratio is None:
        score = 2 * tp / np.maximum(tp + fp + positives, 1)
    else:
        score = -(fp + cost_ratio * (positives - tp))
    return float(p[last[int(np.argmax(score))]])


def precision_at_k(y: np.ndarray, proba: np.ndarray, k: int) -> float:
    """Share of frauds among the ``k`` highest scores."""
    k = min(k, len(y))
    top = np.argsort(-proba, kind="stable")[:k]
    return float(np.mean(y[top])) if k else float("nan")


def evaluate(y: np.ndarray, proba: np.ndarray, threshold: float) -> dict[str, object]:
    """Ranking, threshold and calibration metrics of calibrated probabilities."""
    y = np.asarray(y, dtype=int)
    proba = np.asarray(proba, dtype=float)
    pred = proba >= threshold
    tp = int(np.sum(pred & (y == 1)))
    fp = int(np.sum(pred & (y == 0)))
    fn = int(np.sum(~pred & (y == 1)))
    tn = int(np.sum(~pred & (y == 0)))
    both = 0 < y.sum() < len(y)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    n_bins = int(min(10, max(2, y.sum() // 5))) if both else 2
    observed, predicted = calibration_curve(y, proba, n_bins=n_bins, strategy="quantile")
    ks = {str(k): precision_at_k(y, proba, k) for k in (10, 100, 1000) if k <= len(y)}
    ks["1%"] = precision_at_k(y, proba, max(1, len(y) // 100))
    return {
        "rows": len(y),
        "frauds": int(y.sum()),
        "base_rate": float(y.mean()) if len(y) else float("nan"),
        "auprc": float(average_precision_score(y, proba)) if both else float("nan"),
        "roc_auc": float(roc_auc_score(y, proba)) if both else float("nan"),
        "brier": float(brier_score_loss(y, proba)),
        "threshold": float(threshold),
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "flagged_share": float(pred.mean()),
        "precision_at_k": ks,
        "confusion_matrix": {"tn": tn, "fp": fp, "fn": fn, "tp": tp},
        "calibration_curve": {
            "predicted": [round(float(v), 6) for v in predicted],
            "observed": [round(float(v), 6) for v in observed],
        },
    }
