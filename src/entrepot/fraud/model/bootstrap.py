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
    """One scoring of the rows, sorted once: labels, flags at the threshold, tie ends, and
    where the frauds lie among them.

    A resample's figures read every row's count once (the drawn rows' running count, at
    the places the figures read it alone: the ends of the runs holding a fraud, the last
    flagged row, the last row) and the frauds alone otherwise: the frauds' running count,
    each run of ties holding a fraud, its precision and its step of recall (a run without
    a fraud adds an exact zero to the AUPRC's sum, written as such). The same bits as the
    running counts of every row (a test holds them equal): counts are whole numbers, so
    their sums are exact in any grouping, a running sum skips the zeros it would add, and
    the AUPRC's terms are summed over the same array of runs as before. Counts held in
    one byte (:func:`narrow_counts`) are gathered about three times faster."""

    def __init__(self, y: np.ndarray, proba: np.ndarray, threshold: float) -> None:
        proba = np.asarray(proba, dtype=float)
        self.order = np.argsort(-proba, kind="stable")
        ranked = proba[self.order]
        labels = np.asarray(y, dtype=float)[self.order]
        self.ends = np.flatnonzero(np.r_[ranked[1:] != ranked[:-1], True])
        # sorted by decreasing probability (NaN last), the rows flagged at the threshold
        # are the first ones: its counts are the running counts' at the last of them
        self.flagged_count = int((proba >= threshold).sum())
        self.untied = len(self.ends) == len(ranked)  # every row ends its own run
        at = np.flatnonzero(labels != 0)  # the frauds' places in the ranking
        self.fraud_rows = self.order[at]  # and their rows, where a resample counts them
        self.fraud_labels = labels[at]
        run = at if self.untied else np.searchsorted(self.ends, at)
        last = np.r_[run[1:] != run[:-1], True] if len(run) else np.zeros(0, dtype=bool)
        self.fraud_runs = run[last]  # each run holding a fraud, once
        self.run_last = np.flatnonzero(last)  # the last of its frauds, among the frauds
        self.fraud_run_ends = self.ends[self.fraud_runs]
        # the frauds among the flagged rows (the first ``flagged_count`` in the ranking)
        self.flagged_frauds = int(np.searchsorted(at, self.flagged_count, side="left"))
        # where the drawn rows' running count is read: each fraud run's end, the last
        # flagged row, the last row (as segments' sums, each up to one of those places)
        flagged_last = [self.flagged_count - 1] if self.flagged_count else []
        read = np.unique(np.r_[self.fraud_run_ends, flagged_last, len(ranked) - 1])
        self.segments = np.r_[0, read[:-1] + 1].astype(np.int64)
        self.read_runs = np.searchsorted(read, self.fraud_run_ends)
        self.read_flagged = int(np.searchsorted(read, flagged_last[0])) if flagged_last else 0

    def figures(self, counts: np.ndarray) -> tuple[float, float, float]:
        """AUPRC, precision and recall at the threshold of the rows counted ``counts`` times
        (whole numbers, in the rows' own order); NaN where undefined. The running counts
        are sums of whole numbers, so exact in any order."""
        counts = np.asarray(counts)
        whole = np.float64 if counts.dtype.kind == "f" else np.int64
        seen = np.add.reduceat(counts[self.order], self.segments, dtype=whole).cumsum()
        tp = np.cumsum(counts[self.fraud_rows] * self.fraud_labels)  # at the frauds alone
        # a NumPy float, as the running count of every row gave it (the recall's type is
        # pickled with the card)
        total = tp[-1] if len(tp) else np.float64(0.0)
        auprc = float("nan")
        if 0 < total < seen[-1]:
            tp_end, seen_end = tp[self.run_last], seen[self.read_runs].astype(float)
            precision = np.divide(tp_end, seen_end, out=np.zeros_like(tp_end), where=seen_end > 0)
            recall = tp_end / total
            steps = np.zeros(len(self.ends))  # a run without a fraud: an exact zero
            steps[self.fraud_runs] = np.diff(np.r_[0.0, recall]) * precision
            auprc = float(np.sum(steps))
        caught = float(tp[self.flagged_frauds - 1]) if self.flagged_frauds else 0.0
        flagged = float(seen[self.read_flagged]) if self.flagged_count else 0.0
        at = caught / flagged if flagged > 0 else float("nan")
        recall_at = caught / total if total > 0 else float("nan")
        return auprc, at, recall_at


def drawn_counts(rng: np.random.Generator, rows: int) -> np.ndarray:
    """One resample of ``rows`` rows drawn with replacement, as each row's count (in one
    byte where they fit: :func:`narrow_counts`)."""
    return narrow_counts(np.bincount(rng.integers(0, rows, rows), minlength=rows))


def narrow_counts(counts: np.ndarray) -> np.ndarray:
    """A resample's counts in one byte each where they fit (the same values): a gather
    of a scoring's order then reads an eighth of the memory."""
    fits = len(counts) == 0 or (int(counts.min()) >= 0 and int(counts.max()) <= 255)
    return counts.astype(np.uint8) if fits else counts


def intervals(
    scorings: list[Ranked], rows: int, resamples: int, level: float, seed: int
) -> list[dict[str, float | None]]:
    """Each scoring's three figures on all rows and their bootstrap intervals at ``level``
    (``None`` where undefined), the resamples shared by the scorings."""
    rng = np.random.default_rng(seed)
    seen: list[list[tuple[float, float, float]]] = [[] for _ in scorings]
    for _ in range(resamples):  # one draw at a time, shared by the scorings
        counts = drawn_counts(rng, rows)
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
