"""Per-row contributions: every model family credits the feature that drives the score."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from entrepot.fraud.model import linear
from entrepot.fraud.model.calibration import Calibrator
from entrepot.fraud.model.estimator import positive_scores
from entrepot.fraud.model.features import FeatureBuilder, FeatureSpec
from entrepot.fraud.model.saved import FraudModel
from entrepot.fraud.score.explain import contributions
from entrepot.fraud.score.words import AmountRatio, in_parts
from entrepot.fraud.train.search import DEFAULTS, KINDS, Data, fit_one
from entrepot.i18n.messages import english_parts


def _model(kind: str) -> tuple[FraudModel, np.ndarray]:
    rng = np.random.default_rng(0)
    n = 3000
    frame = pd.DataFrame(
        {"driver": rng.normal(size=n), "noise": rng.normal(size=n), "other": rng.normal(size=n)}
    )
    frame.loc[rng.random(n) < 0.05, "noise"] = np.nan
    y = (frame["driver"] + rng.normal(0, 0.3, n) > 1.6).astype(int).to_numpy()
    builder = FeatureBuilder(FeatureSpec(numerics=("driver", "noise", "other"))).fit(frame)
    x = builder.transform(frame).to_numpy(dtype=float)
    data = Data(x[:2000], y[:2000], x[2000:2500], y[2000:2500], x[2500:], y[2500:])
    estimator, _ = fit_one(kind, dict(DEFAULTS[kind]), data, math.inf, 0, 1)  # no deadline
    calibrator = Calibrator.fit(estimator.predict_proba(data.x_val)[:, 1], data.y_val)
    importances = {"driver": 0.8, "noise": 0.1, "other": 0.1}
    model = FraudModel(builder, estimator, calibrator, 0.5, kind, None, importances)
    return model, x[2500:]


@pytest.mark.parametrize("kind", KINDS)
def test_the_driving_feature_explains_the_risky_rows(kind: str) -> None:
    model, x = _model(kind)
    values = contributions(model, x)
    assert values.shape == x.shape
    risky = x[:, 0] > 2.0
    assert risky.sum() > 5
    assert np.all(values[risky].argmax(axis=1) == 0)
    assert np.mean(values[risky, 0]) > 0.5


def test_linear_contributions_add_up_to_the_decision_function() -> None:
    model, x = _model("logistic_regression")
    values = contributions(model, x)
    pipeline = model.estimator
    z = pipeline[1].transform(pipeline[0].transform(x))
    centred = pipeline[-1].decision_function(z) - pipeline[-1].intercept_[0]
    np.testing.assert_allclose(values.sum(axis=1), centred, rtol=1e-9, atol=1e-9)


def test_reasons_name_the_columns_that_push_up_with_the_rows_values() -> None:
    frame = pd.DataFrame({"amount": [2340.0, 12.5], "hour": [3, 14], "country": ["FR", "DE"]})
    values = np.asarray([[1.2, -0.5, 0.35], [-1.0, -0.2, 0.0]])
    ratio = AmountRatio("amount", 30, np.asarray([6.94, np.nan]))
    found = in_parts(frame, np.asarray([0, 1]), values, list(frame.columns), ratio)
    assert [english_parts(parts) for parts in found] == [
        "amount 2,340, 6.9 × this customer's 30-day mean; country FR",
        "",
    ]


def test_the_numpy_logistic_pipeline_equals_scikit_learn() -> None:
    model, x = _model("logistic_regression")
    x = x.copy()
    x[::7, 2] = np.nan  # a feature that never missed at fit: no indicator, median filled
    expected = model.estimator.predict_proba(x)[:, 1]
    np.testing.assert_allclose(linear.probabilities(model.estimator, x), expected, rtol=1e-10)
    np.testing.assert_allclose(positive_scores(model.estimator, x), expected, rtol=1e-10)
