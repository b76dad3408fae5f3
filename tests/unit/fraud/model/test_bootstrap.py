"""The linear-time bootstrap of the card's figures reads what scikit-learn reads from the
same resampled rows."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import average_precision_score

from entrepot.fraud.model.bootstrap import Ranked, narrow_counts


@pytest.mark.parametrize("digits", [2, None])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_resample_s_figures_are_scikit_learns_on_the_drawn_rows(
    seed: int, digits: int | None
) -> None:
    rng = np.random.default_rng(seed)
    n = 3000
    y = (rng.random(n) < 0.05).astype(int)
    # ties on purpose (probabilities rounded to two digits), and none
    proba = np.clip(0.25 * y + rng.random(n) * 0.75, 0, 1)
    proba = proba if digits is None else np.round(proba, digits)
    ranked = Ranked(y, proba, 0.5)
    for _ in range(5):
        rows = rng.integers(0, n, n)
        counts = np.bincount(rows, minlength=n)
        auprc, precision, recall = ranked.figures(counts)
        drawn_y, drawn_p = y[rows], proba[rows]
        assert auprc == pytest.approx(average_precision_score(drawn_y, drawn_p), abs=1e-12)
        flagged = drawn_p >= 0.5
        assert precision == pytest.approx(drawn_y[flagged].mean(), abs=1e-12)
        assert recall == pytest.approx(drawn_y[flagged].sum() / drawn_y.sum(), abs=1e-12)


def test_a_resample_without_a_fraud_has_no_auprc() -> None:
    ranked = Ranked(np.asarray([0, 0, 1]), np.asarray([0.1, 0.2, 0.9]), 0.5)
    auprc, _, recall = ranked.figures(np.asarray([2, 1, 0]))
    assert np.isnan(auprc) and np.isnan(recall)


def test_rows_without_a_probability_are_never_flagged() -> None:
    rng = np.random.default_rng(4)
    y = (rng.random(500) < 0.1).astype(int)
    proba = rng.random(500)
    proba[rng.random(500) < 0.1] = np.nan
    counts = np.bincount(rng.integers(0, 500, 500), minlength=500)
    _, precision, recall = Ranked(y, proba, 0.5).figures(counts)
    flagged = proba >= 0.5  # NaN: not flagged
    assert precision == pytest.approx((counts * y)[flagged].sum() / counts[flagged].sum())
    assert recall == pytest.approx((counts * y)[flagged].sum() / (counts * y).sum())


def _every_row(
    y: np.ndarray, proba: np.ndarray, threshold: float, counts: np.ndarray
) -> tuple[float, float, float]:
    """The figures from the running counts of every row (the computation the frauds-only
    one replaced, issue 40 item 4): the reference its bits are held to."""
    order = np.argsort(-proba, kind="stable")
    ranked = proba[order]
    ends = np.flatnonzero(np.r_[ranked[1:] != ranked[:-1], True])
    w = counts[order]
    tp, seen = np.cumsum(w * y.astype(float)[order]), np.cumsum(w, dtype=float)
    total = tp[-1]
    auprc = float("nan")
    if 0 < total < seen[-1]:
        tp_end, seen_end = tp[ends], seen[ends]
        precision = np.divide(tp_end, seen_end, out=np.zeros_like(tp_end), where=seen_end > 0)
        auprc = float(np.sum(np.diff(np.r_[0.0, tp_end / total]) * precision))
    flagged_count = int((proba >= threshold).sum())
    caught = float(tp[flagged_count - 1]) if flagged_count else 0.0
    flagged = float(seen[flagged_count - 1]) if flagged_count else 0.0
    return (
        auprc,
        caught / flagged if flagged > 0 else float("nan"),
        caught / total if total > 0 else float("nan"),
    )


@pytest.mark.parametrize("digits", [1, 3, None])
@pytest.mark.parametrize("seed", range(6))
def test_the_frauds_alone_give_the_bits_of_every_row_s_running_counts(
    seed: int, digits: int | None
) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 5000))
    y = (rng.random(n) < rng.choice([0.0, 0.01, 0.2, 0.9])).astype(int)
    proba = np.clip(0.3 * y + rng.random(n) * 0.7, 0, 1)
    proba = proba if digits is None else np.round(proba, digits)
    proba[rng.random(n) < 0.02] = np.nan
    threshold = float(rng.choice([0.0, 0.5, 0.95, 2.0]))
    ranked = Ranked(y, proba, threshold)
    draws = [np.ones(n), *(np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(8))]
    draws.append(np.where(y == 1, 0, 1))  # every fraud left out
    draws += [narrow_counts(c) for c in draws[1:]]  # held in one byte each
    draws.append(np.where(np.arange(n) == n // 2, 300, 1))  # beyond one byte: kept as is
    assert draws[-1].dtype == np.int64 and narrow_counts(draws[-1]).dtype == np.int64
    assert narrow_counts(draws[1]).dtype == np.uint8
    for counts in draws:
        found, expected = ranked.figures(counts), _every_row(y, proba, threshold, counts)
        assert np.array_equal(np.asarray(found), np.asarray(expected), equal_nan=True)
        assert [type(v) for v in found] == [type(v) for v in expected]  # pickled with the card
