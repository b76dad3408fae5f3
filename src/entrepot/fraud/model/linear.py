"""The logistic-regression pipeline of the model search, evaluated with plain numpy.

``logistic_pipeline`` (median imputation with missing-value indicators, scaling, logistic
regression) is a scikit-learn pipeline; applying it step by step stacks copies of the
data. :func:`terms` computes the same linear terms in one pass, for scoring and for
explanations; the tests hold it equal to the pipeline's own output.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def terms(pipeline: Any, x: np.ndarray) -> tuple[np.ndarray, float]:
    """Each feature's term of the log-odds ``(rows, features)`` (a missing value's
    indicator counts for its feature) and the intercept."""
    imputer, scaler, logistic = pipeline[0], pipeline[1], pipeline[-1]
    x = np.asarray(x, dtype=float)
    n_features = x.shape[1]
    fill = np.nan_to_num(np.asarray(imputer.statistics_, dtype=float), nan=0.0)
    missing = np.isnan(x)
    values = np.where(missing, fill, x)
    coef = np.asarray(logistic.coef_[0], dtype=float)
    indicator = getattr(imputer, "indicator_", None)
    flagged = np.asarray(indicator.features_ if indicator is not None else [], dtype=np.int64)
    mean = scaler.mean_ if scaler.with_mean else np.zeros(n_features + len(flagged))
    scale = scaler.scale_ if scaler.with_std else np.ones(n_features + len(flagged))
    weights = coef[:n_features] / scale[:n_features]
    out = (values - mean[:n_features]) * weights
    intercept = float(logistic.intercept_[0])
    if len(flagged):
        ind_weights = coef[n_features:] / scale[n_features:]
        out[:, flagged] += (missing[:, flagged] - mean[n_features:]) * ind_weights
    return out, intercept


def probabilities(pipeline: Any, x: np.ndarray) -> np.ndarray:
    """The pipeline's probability of the positive class, as ``predict_proba[:, 1]``:
    the same algebra as :func:`terms`, each row's terms summed within the row alone
    (:func:`_row_sums`)."""
    imputer, scaler, logistic = pipeline[0], pipeline[1], pipeline[-1]
    x = np.asarray(x, dtype=float)
    n_features = x.shape[1]
    indicator = getattr(imputer, "indicator_", None)
    flagged = np.asarray(indicator.features_ if indicator is not None else [], dtype=np.int64)
    width = n_features + len(flagged)
    mean = scaler.mean_ if scaler.with_mean else np.zeros(width)
    scale = scaler.scale_ if scaler.with_std else np.ones(width)
    weights = np.asarray(logistic.coef_[0], dtype=float) / scale
    fill = np.nan_to_num(np.asarray(imputer.statistics_, dtype=float), nan=0.0)
    missing = np.isnan(x)
    logit = _row_sums(np.where(missing, fill, x), weights[:n_features])
    if len(flagged):
        logit += _row_sums(missing[:, flagged].astype(float), weights[n_features:])
    logit += float(logistic.intercept_[0]) - float(mean @ weights)
    out: np.ndarray = 1.0 / (1.0 + np.exp(-logit))
    return out


def _row_sums(x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Each row of ``x`` times ``weights``, summed along the row alone: a row's bits do not
    depend on the rows scored beside it, where a matrix-vector product's kernel rounds a
    row by its place in the block (a table scored in parts, issue 40, gave its tail rows
    other last bits)."""
    summed: np.ndarray = np.multiply(np.ascontiguousarray(x), weights).sum(axis=1)
    return summed
