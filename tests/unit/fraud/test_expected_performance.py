"""Precision and recall estimated from probabilities alone (CBPE): close to the realised
figures, and within the interval about as often as its level says, when the labels follow
the probabilities, even when the inputs shift; off when the concept shifts."""

from __future__ import annotations

import numpy as np

from entrepot.fraud.model.calibration import LevelError
from entrepot.fraud.score.expected import expected_performance

THRESHOLD = 0.3
DRAWS = 200


def _realised(p: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    flagged = p >= THRESHOLD
    return float(y[flagged].mean()), float(y[flagged].sum() / y.sum())


def _coverage(p: np.ndarray, truth: np.ndarray, seed: int) -> tuple[float, float, float]:
    """Share of label draws (``y ~ Bernoulli(truth)``) whose realised precision and recall
    fall in the interval, and the largest mean absolute error of the two estimates."""
    rng = np.random.default_rng(seed)
    found = expected_performance(p, THRESHOLD)
    assert found.precision.value is not None and found.recall.value is not None
    inside = np.zeros(2)
    errors = np.zeros(2)
    for _ in range(DRAWS):
        y = (rng.random(len(p)) < truth).astype(int)
        estimates = (found.precision, found.recall)
        for i, (real, est) in enumerate(zip(_realised(p, y), estimates, strict=True)):
            assert est.low is not None and est.high is not None and est.value is not None
            inside[i] += est.low <= real <= est.high
            errors[i] += abs(real - est.value)
    return inside[0] / DRAWS, inside[1] / DRAWS, float(errors.max() / DRAWS)


def test_calibrated_probabilities_give_a_close_estimate_inside_its_interval() -> None:
    p = np.random.default_rng(1).beta(0.3, 6.0, 20_000)
    precision_in, recall_in, error = _coverage(p, p, seed=2)
    assert precision_in >= 0.9 and recall_in >= 0.9  # a 95 % interval
    assert error < 0.02


def test_a_shift_of_the_inputs_alone_keeps_the_estimate_right() -> None:
    p = np.random.default_rng(3).beta(0.6, 4.0, 20_000)  # more risky rows than in training
    precision_in, recall_in, error = _coverage(p, p, seed=4)
    assert precision_in >= 0.9 and recall_in >= 0.9
    assert error < 0.02


def test_under_concept_shift_the_estimate_is_off_by_more_than_its_interval() -> None:
    p = np.random.default_rng(5).beta(0.3, 6.0, 20_000)
    truth = np.minimum(1.0, 1.8 * p)  # the same inputs now mean more fraud
    precision_in, _, _ = _coverage(p, truth, seed=6)
    assert precision_in < 0.5


def test_nothing_flagged_leaves_precision_undefined() -> None:
    found = expected_performance(np.array([0.01, 0.02, np.nan]), 0.5)
    assert found.flagged == 0 and found.rows == 2
    assert found.precision.value is None
    assert found.recall.value == 0.0 and abs(found.expected_fn - 0.03) < 1e-12


def test_the_probabilities_own_error_widens_the_interval_to_cover_it() -> None:
    """Each draw's labels follow the probabilities moved by a log-odds shift drawn once per
    draw (sd 0.3, as a calibrator fitted on about 100 frauds): the labels' spread alone
    covers too few draws; with the shift's variance given, the 95 % interval covers at
    least 90 % of them and stays under 0.35 wide."""
    p = np.random.default_rng(7).beta(0.3, 6.0, 20_000)
    rng = np.random.default_rng(8)
    z = np.log(p) - np.log1p(-p)
    plain = expected_performance(p, THRESHOLD)
    widened = expected_performance(p, THRESHOLD, error=LevelError(shift=0.3**2))
    inside = {"plain": 0, "widened": 0}
    for _ in range(DRAWS):
        truth = 1 / (1 + np.exp(-(z + rng.normal(0.0, 0.3))))
        y = (rng.random(len(p)) < truth).astype(int)
        real = _realised(p, y)
        for name, found in (("plain", plain), ("widened", widened)):
            figures = (found.precision, found.recall)
            inside[name] += all(
                e.low is not None and e.high is not None and e.low <= r <= e.high
                for e, r in zip(figures, real, strict=True)
            )
    assert inside["plain"] / DRAWS < 0.8
    assert inside["widened"] / DRAWS >= 0.9
    for figure in (widened.precision, widened.recall):
        assert figure.low is not None and figure.high is not None
        assert figure.high - figure.low < 0.35


def test_a_file_summed_in_slices_is_estimated_as_summed_whole(monkeypatch) -> None:
    """The sums are taken a slice at a time (issue 40 item 3): slices of 997 rows, the last
    one short and one holding a missing probability, give the figures of one pass over the
    file, the probabilities' own error included (its moved sums too)."""
    import entrepot.fraud.score.expected as expected

    rng = np.random.default_rng(3)
    p = rng.beta(0.3, 6.0, 10_000)
    p[4_321] = np.nan
    error = LevelError(slope=0.05, shift=0.2, both=0.01, center=-2.0)
    whole = expected_performance(p, THRESHOLD, error=error)
    monkeypatch.setattr(expected, "SLICE_ROWS", 997)
    sliced = expected_performance(p, THRESHOLD, error=error)
    assert (sliced.rows, sliced.flagged) == (whole.rows, whole.flagged) == (9_999, whole.flagged)
    for name in ("expected_tp", "expected_fp", "expected_fn"):
        assert abs(getattr(sliced, name) - getattr(whole, name)) < 1e-9
    for a, b in ((sliced.precision, whole.precision), (sliced.recall, whole.recall)):
        for x, y in ((a.value, b.value), (a.low, b.low), (a.high, b.high)):
            assert x is not None and y is not None and abs(x - y) < 1e-12
    assert whole.precision.high != expected_performance(p, THRESHOLD).precision.high
