"""Issue 40 item 4 (training in bounded memory): the training's feature matrix is built
once, laid out train | validation | test, and the logistic regression fits on a bounded
draw of the rows. The expected values are computed the way the evaluation defines them,
by the long road: two whole feature frames (labels of the training rows known; then every
label but the test rows' own), the test rows taken from the second."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from entrepot.fraud.model.features import FeatureBuilder, FeatureSpec
from entrepot.fraud.schema.analysis import analyze
from entrepot.fraud.synth.generator import GeneratedDataset, generate
from entrepot.fraud.train import logistic
from entrepot.fraud.train.logistic import logistic_rows
from entrepot.fraud.train.replay import replayed_matrix
from entrepot.fraud.train.search import Data
from entrepot.fraud.train.splits import Splits


@pytest.fixture(scope="module")
def dataset() -> GeneratedDataset:
    return generate("card_payments", 6_000, seed=3, variety=False, fraud_rate=0.05)


def _long_road(
    builder: FeatureBuilder, frame: pd.DataFrame, y: np.ndarray, splits: Splits
) -> np.ndarray:
    known = np.full(len(y), np.nan)
    known[splits.train] = y[splits.train]
    before = builder.transform_labelled(frame, known).to_numpy(dtype=float, copy=True)
    hidden = y.astype(float).copy()
    hidden[splits.test] = np.nan
    after = builder.transform_labelled(frame, hidden).to_numpy(dtype=float)
    before[splits.test] = after[splits.test]
    return before


def test_the_laid_out_matrix_is_the_evaluations_features(dataset: GeneratedDataset) -> None:
    frame, y = dataset.frame, dataset.labels.astype(float)
    spec = FeatureSpec.from_analysis(analyze(frame, target=dataset.target))
    rows = np.arange(len(frame))
    # a time-ordered cut with a gap, and validation and test not in position order
    splits = Splits("time", rows[:3000], rows[3400:4500][::-1], rows[4500:][::-1], rows[3000:3400])
    builder = FeatureBuilder(spec).fit(frame.iloc[splits.train], y[splits.train])
    assert any(name.endswith("risk_7d") for name in builder.feature_names_)
    expected = _long_road(builder, frame, y, splits)
    laid = replayed_matrix(builder, frame, y, splits, rows=splits.layout)
    assert laid.flags.c_contiguous
    np.testing.assert_array_equal(laid, expected[splits.layout])
    train, validation, test = splits.views(laid)
    for part, positions in ((train, splits.train), (validation, splits.validation)):
        assert part.base is laid or part.base is laid.base  # a view, not a copy
        np.testing.assert_array_equal(part, expected[positions])
    np.testing.assert_array_equal(test, expected[splits.test])
    # without a layout: every row, in the table's order
    np.testing.assert_array_equal(replayed_matrix(builder, frame, y, splits), expected)
    thinned = np.sort(np.random.default_rng(0).choice(splits.train, 500, replace=False))
    np.testing.assert_array_equal(train[splits.places_in_train(thinned)], expected[thinned])
    with pytest.raises(ValueError, match="outside"):
        splits.places_in_train(splits.test[:3])


def _data(rows: int, frauds: int, weights: np.ndarray | None = None) -> Data:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(rows, 3))
    y = np.zeros(rows, dtype=np.int8)
    y[rng.choice(rows, frauds, replace=False)] = 1
    return Data(x, y, x[:10], y[:10], x[:10], y[:10], weights)


def test_the_logistic_regression_fits_on_every_row_up_to_its_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(logistic, "LOGISTIC_MAX_ROWS", 1_000)
    small = _data(1_000, 30)
    x, y, w = logistic_rows(small.x_fit, small.y_fit, small.w_fit, seed=0)
    assert x is small.x_fit and y is small.y_fit and w is None


@pytest.mark.parametrize("prior", [None, 2.5])
def test_beyond_it_every_fraud_and_a_weighted_draw(
    monkeypatch: pytest.MonkeyPatch, prior: float | None
) -> None:
    monkeypatch.setattr(logistic, "LOGISTIC_MAX_ROWS", 1_000)
    rows, frauds = 5_000, 40
    weights = None if prior is None else np.full(rows, prior)
    data = _data(rows, frauds, weights)
    x, y, w = logistic_rows(data.x_fit, data.y_fit, data.w_fit, seed=0)
    assert w is not None and len(y) == 1_000 and int(y.sum()) == frauds
    # the draw's rows are rows of the fit set, each with its own label
    found = {tuple(r) for r in data.x_fit[data.y_fit == 1]}
    assert {tuple(r) for r in x[y == 1]} == found
    # weighted, the draw holds the fit set's weight of legitimate rows and of frauds
    base = 1.0 if prior is None else prior
    assert w[y == 1].sum() == pytest.approx(frauds * base)
    assert w[y == 0].sum() == pytest.approx((rows - frauds) * base)
    again = logistic_rows(data.x_fit, data.y_fit, data.w_fit, seed=0)
    np.testing.assert_array_equal(again[0], x)  # seeded
