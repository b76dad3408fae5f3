"""Issue 40 item 4: an estimator's scores are predicted in slices of rows (a training's
validation and test rows cost one slice's copies, not the whole's), and every family's
scores are the same bits in slices as whole: each row's score reads that row alone."""

from __future__ import annotations

from typing import Any

import lightgbm as lgb
import numpy as np
import pytest
import xgboost as xgb
from sklearn.ensemble import HistGradientBoostingClassifier

from entrepot.fraud.model import estimator
from entrepot.fraud.model.estimator import positive_scores
from entrepot.fraud.train.logistic import logistic_pipeline


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(4)
    x = rng.normal(size=(3_000, 5)) * [1.0, 10.0, 100.0, 0.1, 1e4]
    x[rng.random(x.shape) < 0.05] = np.nan  # missing values: the imputation's indicators
    y = (np.nan_to_num(x[:, 0]) + rng.normal(size=len(x)) > 1.2).astype(int)
    return x, y


def _fitted(kind: str, x: np.ndarray, y: np.ndarray) -> Any:
    if kind == "lightgbm":
        return lgb.LGBMClassifier(n_estimators=30, verbose=-1, n_jobs=1).fit(x, y)
    if kind == "xgboost":
        return xgb.XGBClassifier(n_estimators=30, n_jobs=1).fit(x, y)
    if kind == "hist_gradient_boosting":
        return HistGradientBoostingClassifier(max_iter=30).fit(x, y)
    return logistic_pipeline({}).fit(x, y)


@pytest.mark.parametrize(
    "kind", ["lightgbm", "xgboost", "hist_gradient_boosting", "logistic_regression"]
)
def test_scores_in_slices_are_the_whole_tables_bits(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    x, y = _data()
    model = _fitted(kind, x, y)
    whole = positive_scores(model, x)
    assert len(np.unique(whole)) > 50  # scores that differ from row to row
    monkeypatch.setattr(estimator, "CHUNK_BYTES", 8 * x.shape[1] * 97)  # slices of 97 rows
    sliced = positive_scores(model, x)
    np.testing.assert_array_equal(sliced, whole)
    assert sliced.dtype == whole.dtype == np.float64
    # and a table of fewer rows than a slice, and of one slice and one row
    np.testing.assert_array_equal(positive_scores(model, x[:50]), whole[:50])
    np.testing.assert_array_equal(positive_scores(model, x[:98]), whole[:98])
