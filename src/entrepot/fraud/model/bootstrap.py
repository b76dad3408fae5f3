"""A bootstrap of AUPRC, precision and recall at a threshold, in linear time a resample.

A bootstrap resample is the scored rows drawn with replacement: each row counted as many
times as it was drawn. Sorted once by decreasing probability, the resample's average
precision is read from the weighted running counts of frauds and legitimate rows at the
end of each run of tied probabilities: ``AP = Σ (R_k - R_{k-1}) P_k``, scikit-learn's
definition (``average_precision_score``), without sorting again. Several scorings of the
same rows (the card's label horizons) share each resample's draw, so their figures
differ by the scores, not by the draw.
"""

from __future__ import annotations

import numpy as np

FIGURES = ("auprc", "precision", "recall")


class Ranked:
    """One scoring of the rows, sorted once: labels, flags at the threshold, tie ends."""

    def __init__(self, y: np.ndarray, proba: np.ndarray, threshold: float) -> None:
        proba = np.asarray(proba, dtype=float)
        self.order = np.argsort(-proba, kind="stable")
        ranked = proba[self.order]
        self.y = np.asarray(y, dtype=float)[self.order]
        self.ends = np.flatnonzero(np.r_[ranked[1:] != ranked[:-1], True])
        # sorted by decreasing probability (NaN last), the rows flagged at the threshold
        # are the first ones: its counts are the running counts' at the last of them
        self.flagged_count = int((proba >= threshold).sum())
        self.untied = len(self.ends) == len(ranked)  # every row ends its own run

    def figures(self, counts: np.ndarray) -> tuple[float, float, float]:
        """AUPRC, precision and recall at the threshold of the rows counted ``counts`` times
        (whole numbers, in the rows' own order); NaN where undefined. The running counts
        are sums of whole numbers, so exact in any order."""
        w = np.asarray(counts)[self.order]
        frauds = w * self.y
        tp, seen = np.cumsum(frauds), np.cumsum(w, dtype=float)
        total = tp[-1]
        auprc = float("nan")
        if 0 < total < seen[-1]:
            tp_end, seen_end = (tp, seen) if self.untied else (tp[self.ends], seen[self.ends])
            precision = np.divide(tp_end, seen_end, out=np.zeros_like(tp_end), where=seen_end > 0)
            auprc = float(np.sum(np.diff(np.r_[0.0, tp_end / total]) * precision))
        caught = float(tp[self.flagged_count - 1]) if self.flagged_count else 0.0
        flagged = float(seen[self.flagged_count - 1]) if self.flagged_count else 0.0
        at = caught / flagged if flagged > 0 else float("nan")
        recall = caught / total if total > 0 else float("nan")
        return auprc, at, recall


def intervals(
    scorings: list[Ranked], rows: int, resamples: int, level: float, seed: int
) -> list[dict[str, float | None]]:
    """Each scoring's three figures on all rows and their bootstrap intervals at ``level``
    (``None`` where undefined), the resamples shared by the scorings."""
    rng = np.random.default_rng(seed)
    seen: list[list[tuple[float, float, float]]] = [[] for _ in scorings]
    for _ in range(resamples):  # one draw at a time, shared by the scorings
        counts = np.bincount(rng.integers(0, rows, rows), minlength=rows)
        for found_by, scoring in zip(seen, scorings, strict=True):
            found_by.append(scoring.figures(counts))
    ones = np.ones(rows)
    tail = (1 - level) / 2
    out = []
    for scoring, by in zip(scorings, seen, strict=True):
        values = np.asarray(by, dtype=float)
        point = scoring.figures(ones)
        found: dict[str, float | None] = {}
        for i, name in enumerate(FIGURES):
            column = values[:, i][np.isfinite(values[:, i])]
            found[name] = round(point[i], 6) if np.isfinite(point[i]) else None
            low, high = np.quantile(column, [tail, 1 - tail]) if len(column) else (np.nan, np.nan)
            found[f"{name}_low"] = round(float(low), 6) if np.isfinite(low) else None
            found[f"{name}_high"] = round(float(high), 6) if np.isfinite(high) else None
        out.append(found)
    return out
