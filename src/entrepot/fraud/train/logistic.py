"""The model search's logistic regression: its pipeline, and the rows it fits on."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

#: The most rows the logistic regression fits on (:func:`logistic_rows`).
LOGISTIC_MAX_ROWS = 200_000


def logistic_rows(
    x: np.ndarray, y: np.ndarray, w: np.ndarray | None, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The fit rows ``x``, ``y`` (weights ``w``) the logistic regression fits on: every
    row up to :data:`LOGISTIC_MAX_ROWS`; beyond, every fraud and a seeded draw of the legitimate
    rows, weighted by the inverse of their share (the fit set keeps its fraud rate).
    Its few dozen coefficients are settled long before that many rows, while its pipeline
    (imputation, indicators, scaling) holds three copies of what it fits on."""
    if len(y) <= LOGISTIC_MAX_ROWS:
        return x, y, w
    frauds, legitimate = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    keep = max(LOGISTIC_MAX_ROWS - len(frauds), LOGISTIC_MAX_ROWS // 2)
    if len(legitimate) <= keep:
        return x, y, w
    drawn = np.random.default_rng(seed).choice(legitimate, size=keep, replace=False)
    rows = np.sort(np.concatenate([frauds, drawn]))
    weights = np.ones(len(rows)) if w is None else w[rows].astype(float)
    weights[y[rows] == 0] *= len(legitimate) / keep
    return x[rows], y[rows], weights


def logistic_pipeline(params: dict[str, Any]) -> Pipeline:
    """Median imputation with missing-value indicators, scaling, logistic regression."""
    return make_pipeline(
        SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
        StandardScaler(),
        LogisticRegression(max_iter=1000, **params),
    )
