"""Per-row feature contributions to a model's score, in log-odds of the bare estimator.

* LightGBM and XGBoost: their own exact tree SHAP values (``pred_contrib``);
* logistic regression: each standardised value times its coefficient (a missing value's
  indicator counts for its feature);
* HistGradientBoosting, which has none: occlusion of the :data:`OCCLUDED` most important
  features, the change in log-odds when the feature is made missing (the model's own
  handling of missing values), 0 for the others.

Contributions are relative to the model's average output, so a positive value pushes a
row towards fraud.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from entrepot.fraud.model import linear
from entrepot.fraud.model.saved import FraudModel
from entrepot.fraud.score.numpy_path import compiled

OCCLUDED = 8


def contributions(model: FraudModel, x: np.ndarray) -> np.ndarray:
    """``(rows, features)`` contributions of each feature to each row's log-odds."""
    x = np.asarray(x, dtype=float)
    est = model.estimator
    if len(x) == 0:
        return np.zeros((0, x.shape[1]))
    if model.kind == "lightgbm":
        values = est.predict(x, pred_contrib=True)
        return np.asarray(values, dtype=float)[:, :-1]
    if model.kind == "xgboost":
        return _xgboost(est, x)
    if model.kind == "logistic_regression":
        return _linear(est, x)
    return _occlusion(model, x)


def _xgboost(est: Any, x: np.ndarray) -> np.ndarray:
    import xgboost as xgb

    best = getattr(est, "best_iteration", None)
    rounds = (0, int(best) + 1) if best is not None else (0, 0)
    # One thread to build the matrix: all of them cost milliseconds on busy cores.
    values = est.get_booster().predict(
        xgb.DMatrix(x, missing=np.nan, nthread=1), pred_contribs=True, iteration_range=rounds
    )
    return np.asarray(values, dtype=float)[:, :-1]


def _linear(pipeline: Any, x: np.ndarray) -> np.ndarray:
    values, _ = linear.terms(pipeline, x)
    centred: np.ndarray = values
    return centred


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    out: np.ndarray = np.log(p / (1 - p))
    return out


def _occlusion(model: FraudModel, x: np.ndarray) -> np.ndarray:
    names = model.features.feature_names_
    shares = model.importances or {}
    ranked = sorted(range(len(names)), key=lambda i: -shares.get(names[i], 0.0))[:OCCLUDED]
    scores = compiled(model).scores  # positive_scores, quicker on a few rows
    base = _logit(scores(x, 1))
    out = np.zeros(x.shape, dtype=float)
    for j in ranked:
        if shares.get(names[j], 0.0) <= 0.0:
            continue
        hidden = x.copy()
        hidden[:, j] = np.nan
        out[:, j] = base - _logit(scores(hidden, 1))
    return out
