"""The linear-time bootstrap of the card's figures reads what scikit-learn reads from the
same resampled rows."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import average_precision_score

from entrepot.fraud.model.bootstrap import Ranked


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
