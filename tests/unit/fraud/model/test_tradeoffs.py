"""Threshold curve, lift, recounted confusion matrices and population stability."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from entrepot.fraud.model.drift import WARN, column_drift, column_reference, psi, score_shares
from entrepot.fraud.model.metrics import evaluate
from entrepot.fraud.model.tradeoffs import (
    KEPT_SCORES,
    confusion_at,
    kept_scores,
    lift_table,
    threshold_curve,
)


def _scores(n: int = 5000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.02).astype(int)
    proba = np.clip(rng.beta(1, 60, n) + 0.3 * y * rng.random(n), 0, 1)
    return y, proba


def test_the_threshold_curve_counts_what_each_threshold_flags() -> None:
    y, proba = _scores()
    curve = threshold_curve(y, proba, cost_ratio=10.0)
    assert len(curve) >= 50
    thresholds = [p["threshold"] for p in curve]
    assert thresholds == sorted(thresholds)
    for point in curve[:: max(1, len(curve) // 10)]:
        t = point["threshold"]
        flagged = proba >= t
        tp, fp = int((flagged & (y == 1)).sum()), int((flagged & (y == 0)).sum())
        fn = int((~flagged & (y == 1)).sum())
        assert point["flagged_share"] == pytest.approx(flagged.mean(), abs=1e-6)
        assert point["recall"] == pytest.approx(tp / y.sum(), abs=1e-6)
        assert point["expected_cost"] == pytest.approx((fp + 10 * fn) / len(y), abs=1e-6)


def test_lift_of_a_perfect_ranking_is_one_over_the_fraud_rate() -> None:
    y = np.r_[np.ones(10), np.zeros(990)].astype(int)
    rows = {r["share"]: r for r in lift_table(y, -np.arange(1000.0))}
    assert rows[0.01]["precision"] == 1.0 and rows[0.01]["lift"] == pytest.approx(100)
    assert rows[0.1]["recall"] == 1.0


def test_a_recounted_confusion_matrix_equals_the_evaluated_one() -> None:
    y, proba = _scores()
    kept = kept_scores(y, proba)
    for t in (0.01, 0.05, 0.2):
        assert confusion_at(kept, t) == evaluate(y, proba, t)["confusion_matrix"]
    big_y = np.zeros(3 * KEPT_SCORES, dtype=int)
    big = kept_scores(big_y, np.linspace(0, 1, len(big_y)))
    assert len(big["legitimate"]) == KEPT_SCORES and big["legitimate_weight"] == 3.0
    assert confusion_at(big, 0.5)["fp"] == pytest.approx(1.5 * KEPT_SCORES, rel=1e-3)


def test_psi_is_zero_for_the_same_population_and_warns_when_it_moves() -> None:
    rng = np.random.default_rng(1)
    train = pd.Series(rng.lognormal(3, 1, 5000))
    ref = column_reference(train)
    assert ref["kind"] == "numeric" and sum(ref["shares"]) == pytest.approx(1)
    same = column_drift(ref, pd.Series(rng.lognormal(3, 1, 2000)))
    moved = column_drift(ref, train * 20)
    assert same["psi"] < 0.1 and not same["warning"]
    assert moved["psi"] > WARN and moved["warning"]
    words = column_reference(pd.Series(["FR"] * 90 + ["DE"] * 10))
    assert column_drift(words, pd.Series(["US"] * 100))["warning"]
    codes = column_reference(pd.Series([5411, 5812, 4829] * 100))
    read_as_floats = pd.Series([5411.0, 5812.0, 4829.0] * 33 + [np.nan])
    assert column_drift(codes, read_as_floats)["psi"] < 0.1
    assert psi([0.5, 0.5], [0.5, 0.5]) == 0.0
    assert sum(score_shares(np.asarray([0.0, 0.002, 0.5, 1.0]))) == pytest.approx(1)
