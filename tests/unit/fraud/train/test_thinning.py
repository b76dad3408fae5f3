"""Thinned training rows: every fraud, a weighted sample of the legitimate rows."""

from __future__ import annotations

import math

import numpy as np
import pytest

from entrepot.fraud.model.estimator import positive_scores
from entrepot.fraud.train.search import KINDS, Data, fit_one
from entrepot.fraud.train.space import DEFAULTS
from entrepot.fraud.train.thinning import thin


def test_every_fraud_is_kept_and_the_weights_restore_the_fraud_rate() -> None:
    rng = np.random.default_rng(0)
    y = (rng.random(50_000) < 0.004).astype(np.int8)
    train = np.arange(30_000)
    thinned = thin(train, y, 5_000, seed=1)
    kept = y[thinned.rows]
    assert thinned.weights is not None
    assert int(kept.sum()) == int(y[train].sum())  # every fraud
    assert int((kept == 0).sum()) == thinned.kept_legitimate == 5_000
    assert thinned.legitimate == int((y[train] == 0).sum())
    assert np.all(np.diff(thinned.rows) > 0)  # in order, no repeats, inside train
    assert set(thinned.rows) <= set(train)
    np.testing.assert_allclose(thinned.weights[kept == 1], 1.0)
    np.testing.assert_allclose(thinned.weights[kept == 0], thinned.legitimate / 5_000)
    weighted_rate = thinned.weights @ kept / thinned.weights.sum()
    assert weighted_rate == pytest.approx(y[train].mean())
    assert thin(train, y, 5_000, seed=1).rows.tolist() == thinned.rows.tolist()


def test_nothing_is_thinned_without_a_limit_or_under_it() -> None:
    y = np.array([0, 1, 0, 0, 1, 0], dtype=np.int8)
    train = np.array([0, 1, 2, 3])
    for limit in (None, 3, 10):
        thinned = thin(train, y, limit, seed=0)
        assert thinned.weights is None
        assert thinned.rows.tolist() == [0, 1, 2, 3]
        assert thinned.legitimate_weight == 1.0
    with pytest.raises(ValueError, match="at least 1"):
        thin(train, y, 0, seed=0)


@pytest.mark.parametrize("kind", KINDS)
def test_weighted_fits_keep_the_base_rate(kind: str) -> None:
    """Fitted on a 1-in-10 sample of the legitimate rows, a model's mean raw probability
    stays near the true fraud rate with the weights (early stopping leaves the boosted
    ones above it), and is several times higher without them."""
    rng = np.random.default_rng(4)
    n = 20_000
    x = rng.normal(size=(n, 4))
    y = (x[:, 0] + rng.normal(0, 1.0, n) > 3.0).astype(np.int8)  # about 1.6 %
    thinned = thin(np.arange(n), y, int((y == 0).sum()) // 10, seed=0)
    rate = float(y.mean())
    means = {}
    for weighted in (True, False):
        weights = thinned.weights if weighted else None
        data = Data(x[thinned.rows], y[thinned.rows], x[:3000], y[:3000], x, y, weights)
        model, _ = fit_one(kind, dict(DEFAULTS[kind]), data, math.inf, 0, 1)  # no deadline
        means[weighted] = float(positive_scores(model, x).mean())
    assert 0.5 * rate < means[True] < 2.5 * rate < 5 * rate < means[False]
