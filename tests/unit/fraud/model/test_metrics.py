"""Threshold choice, precision@k, evaluation and calibration on known numbers."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import average_precision_score

from entrepot.fraud.model.calibration import Calibrator
from entrepot.fraud.model.metrics import choose_threshold, evaluate, precision_at_k

Y = np.array([1, 1, 0, 1, 0, 0, 0, 0])
P = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2])


def test_f1_threshold_is_the_best_cut() -> None:
    # cut at 0.6: tp 3, fp 1 -> F1 = 6/7, better than 0.8 (tp 2: F1 0.8) or 0.9
    assert choose_threshold(Y, P) == pytest.approx(0.6)


def test_cost_ratio_moves_the_threshold() -> None:
    assert choose_threshold(Y, P, cost_ratio=0.1) == pytest.approx(0.8)
    assert choose_threshold(Y, P, cost_ratio=100.0) == pytest.approx(0.6)
    y = np.array([0, 0, 0, 1])
    p = np.array([0.9, 0.8, 0.7, 0.1])
    assert choose_threshold(y, p, cost_ratio=10.0) == pytest.approx(0.1)
    assert choose_threshold(y, p, cost_ratio=0.5) == pytest.approx(0.9)


def test_ties_are_cut_together() -> None:
    y = np.array([1, 0, 1, 0])
    p = np.array([0.5, 0.5, 0.5, 0.1])
    assert choose_threshold(y, p) == pytest.approx(0.5)


def test_precision_at_k_and_evaluation() -> None:
    assert precision_at_k(Y, P, 2) == 1.0
    assert precision_at_k(Y, P, 4) == 0.75
    report = evaluate(Y, P, 0.6)
    assert report["confusion_matrix"] == {"tn": 4, "fp": 1, "fn": 0, "tp": 3}
    assert report["precision"] == 0.75
    assert report["recall"] == 1.0
    assert report["roc_auc"] == pytest.approx(14 / 15)
    assert report["brier"] == pytest.approx(np.mean((P - Y) ** 2))
    assert report["precision_at_k"]["1%"] == 1.0  # type: ignore[index]
    curve = report["calibration_curve"]
    assert len(curve["predicted"]) == len(curve["observed"]) >= 1  # type: ignore[index]


def test_calibration_maps_scores_to_observed_frequencies() -> None:
    rng = np.random.default_rng(0)
    scores = rng.random(8000)
    y = (rng.random(8000) < scores**3).astype(int)
    big, small = Calibrator.fit(scores, y), Calibrator.fit(scores[:300], y[:300])
    assert (big.method, small.method) == ("isotonic", "sigmoid")  # by the frauds available
    for calibrator in (big, small):
        grid = np.linspace(0, 1, 101)
        out = calibrator(grid)
        assert ((out >= 0) & (out <= 1)).all()
        assert (np.diff(out) > 0).all()  # strictly: the isotonic steps' ties are broken
    # calibrated probabilities match observed frequencies better than the raw scores
    raw_gap = abs(scores.mean() - y.mean())
    assert abs(big(scores).mean() - y.mean()) < raw_gap / 10
    # the tie-break moves the isotonic probabilities by at most 1e-6
    assert big.tie_break is not None
    stepped = big.model.predict(grid)
    assert np.abs(big(grid) - stepped).max() <= 1e-6


def test_calibration_keeps_the_ranking_of_the_scores() -> None:
    # Regression: isotonic calibration (150+ frauds) tied the top-scored rows into one
    # step and lowered the AUPRC of the saved model below its estimator's.
    rng = np.random.default_rng(1)
    y = (rng.random(120_000) < 0.02).astype(int)
    scores = 1 / (1 + np.exp(-(rng.normal(-4.5, 1.0, 120_000) + 2.5 * y)))
    calibrator = Calibrator.fit(scores[:60_000], y[:60_000])
    assert calibrator.method == "isotonic"  # 1,200 frauds: the method that made ties
    later, truth = scores[60_000:], y[60_000:]
    calibrated = calibrator(later)
    assert len(np.unique(calibrated)) == len(np.unique(later))
    assert average_precision_score(truth, calibrated) == pytest.approx(
        average_precision_score(truth, later), abs=1e-12
    )
