"""The figures of a model's test split at the threshold in force, one set for the whole
page: the confusion matrix, precision, recall, F1, flagged share and expected cost, all
derived from the same integer counts; and the threshold curve with those counts on every
point and the threshold in force as one of its points, so the slider starts exactly there.

At the threshold training chose, the counts are the test evaluation's own (exact); at a
saved one, they are recounted from the kept test scores
(:func:`entrepot.fraud.model.tradeoffs.confusion_at`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from entrepot.fraud.model.tradeoffs import DEFAULT_COST_RATIO, confusion_at

#: The four counts of a confusion matrix.
COUNTS = ("tp", "fp", "fn", "tn")


def figures(counts: Mapping[str, Any], threshold: float, cost_ratio: float) -> dict[str, Any]:
    """``{threshold, tp, fp, fn, tn, test_rows, frauds, flagged, base_rate, precision,
    recall, f1, flagged_share, expected_cost}`` of integer ``counts`` at ``threshold``
    (precision and recall 0 when nothing is flagged or no row is a fraud, as the test
    evaluation says them)."""
    tp, fp, fn, tn = (int(counts[k]) for k in COUNTS)
    rows, flagged, frauds = tp + fp + fn + tn, tp + fp, tp + fn
    precision = tp / flagged if flagged else 0.0
    recall = tp / frauds if frauds else 0.0
    return {
        "threshold": float(threshold),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "test_rows": rows,
        "frauds": frauds,
        "flagged": flagged,
        "base_rate": frauds / rows if rows else 0.0,
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "flagged_share": flagged / rows if rows else 0.0,
        "expected_cost": (fp + cost_ratio * fn) / rows if rows else 0.0,
    }


def at_threshold(
    test: Mapping[str, Any], curves: Mapping[str, Any], threshold: float | None
) -> dict[str, Any] | None:
    """The test split's figures at ``threshold`` (``None`` when they cannot be counted:
    no threshold, or a saved one on a model that kept no test scores)."""
    if threshold is None:
        return None
    ratio = _ratio(curves)
    exact = test.get("confusion_matrix")
    if isinstance(exact, Mapping) and test.get("threshold") == threshold:
        return figures(exact, threshold, ratio)
    kept = curves.get("test_scores")
    if isinstance(kept, dict):
        return figures(confusion_at(kept, float(threshold)), threshold, ratio)
    return None


def curve_with_counts(
    curves: Mapping[str, Any], here: Mapping[str, Any] | None
) -> tuple[list[dict[str, Any]], int]:
    """The threshold curve, each point with its counts when the test scores were kept, and
    ``here`` (the figures at the threshold in force) as one of its points; and the index of
    that point (0 without one)."""
    kept = curves.get("test_scores")
    ratio = _ratio(curves)
    points: list[dict[str, Any]] = []
    for point in curves.get("threshold_curve") or []:
        t = float(point["threshold"])
        if here is not None and t == here["threshold"]:
            continue
        if isinstance(kept, dict):
            counted = figures(confusion_at(kept, t), t, ratio)
            points.append({**point, **{k: counted[k] for k in COUNTS}})
        else:
            points.append(dict(point))
    if here is None or not points:
        return points, 0
    point = {k: here[k] for k in (*COUNTS, "threshold", "precision", "recall")}
    point.update({k: here[k] for k in ("flagged_share", "expected_cost")})
    points.append(point)
    points.sort(key=lambda p: float(p["threshold"]))
    return points, points.index(point)


def _ratio(curves: Mapping[str, Any]) -> float:
    ratio = curves.get("cost_ratio")
    return DEFAULT_COST_RATIO if ratio is None else float(ratio)
