"""What a threshold trades: the precision, recall, flagged share and expected cost of
every threshold, and the precision and lift of reviewing the top X % of rows.

The expected cost is per row, in units of one false alarm's cost: ``(FP + cost_ratio *
FN) / rows``, ``cost_ratio`` being the cost of a missed fraud over that of a false alarm
(:data:`DEFAULT_COST_RATIO` when the model was not trained with one). Thresholds are the
quantiles of the scores and a log-spaced grid from 1e-4 to 1, so a model whose scores
sit near 1 % still gets dense points where its decisions change.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Cost of a missed fraud over that of a false alarm, when the model names none.
DEFAULT_COST_RATIO = 10.0
#: Legitimate test scores kept to recount a confusion matrix at any threshold; beyond
#: this many, evenly spaced ones (in score order), each standing for several rows.
KEPT_SCORES = 20_000
#: Shares of rows (the highest scores first) whose precision and lift are reported.
TOP_SHARES = (0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2)


def _grid(proba: np.ndarray, points: int) -> np.ndarray:
    quantiles = np.quantile(proba, np.linspace(0, 1, points)) if len(proba) else []
    grid = np.concatenate([quantiles, np.geomspace(1e-4, 1.0, points)])
    return np.unique(np.round(grid, 6))


def threshold_curve(
    y: np.ndarray, proba: np.ndarray, cost_ratio: float, points: int = 60
) -> list[dict[str, float]]:
    """``{threshold, precision, recall, flagged_share, expected_cost}`` per threshold
    (at least ``points`` of them), thresholds rising."""
    y = np.asarray(y, dtype=int)
    proba = np.asarray(proba, dtype=float)
    order = np.sort(proba)
    frauds_sorted = np.cumsum(y[np.argsort(proba, kind="stable")])
    n, positives = len(y), int(y.sum())
    out = []
    for t in _grid(proba, points).tolist():
        below = int(np.searchsorted(order, t, side="left"))  # rows under the threshold
        fn = int(frauds_sorted[below - 1]) if below else 0
        flagged = n - below
        tp = positives - fn
        fp = flagged - tp
        out.append(
            {
                "threshold": float(t),
                "precision": round(tp / flagged, 6) if flagged else 1.0,
                "recall": round(tp / positives, 6) if positives else 0.0,
                "flagged_share": round(flagged / n, 6) if n else 0.0,
                "expected_cost": round((fp + cost_ratio * fn) / n, 6) if n else 0.0,
            }
        )
    return out


def lift_table(y: np.ndarray, proba: np.ndarray) -> list[dict[str, float]]:
    """For each share of :data:`TOP_SHARES`, reviewing that share of rows (highest scores
    first): ``{share, rows, precision, recall, lift}`` (lift: precision over base rate)."""
    y = np.asarray(y, dtype=int)
    n, positives = len(y), int(y.sum())
    if n == 0 or positives == 0:
        return []
    ranked = y[np.argsort(-np.asarray(proba, dtype=float), kind="stable")]
    base = positives / n
    out = []
    for share in TOP_SHARES:
        k = max(1, round(share * n))
        found = int(ranked[:k].sum())
        out.append(
            {
                "share": share,
                "rows": k,
                "precision": round(found / k, 6),
                "recall": round(found / positives, 6),
                "lift": round(found / k / base, 4),
            }
        )
    return out


def kept_scores(y: np.ndarray, proba: np.ndarray) -> dict[str, Any]:
    """The test scores of frauds and of legitimate rows, sorted, for :func:`confusion_at`
    (at most :data:`KEPT_SCORES` legitimate ones, ``weight`` rows each)."""
    y = np.asarray(y, dtype=int)
    proba = np.asarray(proba, dtype=float)
    legit = np.sort(proba[y == 0])
    weight = 1.0
    if len(legit) > KEPT_SCORES:
        weight = len(legit) / KEPT_SCORES
        legit = legit[np.linspace(0, len(legit) - 1, KEPT_SCORES).round().astype(int)]
    return {
        "fraud": [round(float(v), 7) for v in np.sort(proba[y == 1])],
        "legitimate": [round(float(v), 7) for v in legit],
        "legitimate_weight": weight,
    }


def confusion_at(kept: dict[str, Any], threshold: float) -> dict[str, int]:
    """``{tn, fp, fn, tp}`` of the kept test scores at ``threshold``."""
    fraud = np.asarray(kept.get("fraud", []), dtype=float)
    legit = np.asarray(kept.get("legitimate", []), dtype=float)
    weight = float(kept.get("legitimate_weight", 1.0))
    fn = int(np.searchsorted(fraud, threshold, side="left"))
    below = int(np.searchsorted(legit, threshold, side="left"))
    return {
        "tn": round(below * weight),
        "fp": round((len(legit) - below) * weight),
        "fn": fn,
        "tp": len(fraud) - fn,
    }


def tradeoffs(y: np.ndarray, proba: np.ndarray, cost_ratio: float | None) -> dict[str, Any]:
    """The threshold curve, lift table and kept scores of test labels ``y`` and scores
    ``proba``."""
    ratio = DEFAULT_COST_RATIO if cost_ratio is None else float(cost_ratio)
    return {
        "cost_ratio": ratio,
        "cost_ratio_source": "default" if cost_ratio is None else "model",
        "threshold_curve": threshold_curve(y, proba, ratio),
        "lift": lift_table(y, proba),
        "test_scores": kept_scores(y, proba),
    }
