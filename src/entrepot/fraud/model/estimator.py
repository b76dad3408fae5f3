"""An estimator's fraud score for each row, whatever its family (the one place that asks
a fitted estimator for scores: the saved model, the search and the fast path call it)."""

from __future__ import annotations

from functools import cache
from typing import Any

import lightgbm as lgb
import numpy as np
import xgboost as xgb
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.pipeline import Pipeline
from threadpoolctl import ThreadpoolController

from entrepot.fraud.model import linear

#: The bytes of features scored at once (:func:`positive_scores`): a library's prediction
#: copies what it scores (XGBoost as float32, the logistic regression's imputation and
#: scaling several times), so a training's million validation rows cost no more than this.
#: 16 MiB: a scored part of half a million rows peaked 203 MiB above its features in the
#: logistic regression at 64 MiB, 53 at 16 (the same bits: a row's score reads its row).
CHUNK_BYTES = 16 * 2**20


def positive_scores(estimator: Any, x: np.ndarray, *, threads: int = 1) -> np.ndarray:
    """The estimator's fraud score for each row, predicted on ``threads`` threads, in
    slices of rows of :data:`CHUNK_BYTES` at most: each row's score reads that row alone
    in every family (trees walked, one row's linear terms summed within the row: the
    same bits whatever the slices)."""
    rows = _slice_rows(x)
    if len(x) <= rows:
        return _scores(estimator, x, threads)
    found = np.empty(len(x), dtype=float)
    for start in range(0, len(x), rows):
        found[start : start + rows] = _scores(estimator, x[start : start + rows], threads)
    return found


def scores_at(estimator: Any, x: np.ndarray, rows: np.ndarray, *, threads: int = 1) -> np.ndarray:
    """The scores of ``x``'s rows at ``rows`` alone, in that order: the bits they have in
    :func:`positive_scores` (a row's score reads that row alone), the rows gathered a
    slice of :data:`CHUNK_BYTES` at a time."""
    per = _slice_rows(x)
    found = np.empty(len(rows), dtype=float)
    for start in range(0, len(rows), per):
        found[start : start + per] = _scores(estimator, x[rows[start : start + per]], threads)
    return found


def _slice_rows(x: np.ndarray) -> int:
    """The rows of ``x`` in :data:`CHUNK_BYTES` of float64 features (one at least)."""
    return max(1, CHUNK_BYTES // max(1, 8 * (x.shape[1] if x.ndim == 2 else 1)))


def _scores(estimator: Any, x: np.ndarray, threads: int) -> np.ndarray:
    if isinstance(estimator, Pipeline) and len(estimator) == 3:
        return linear.probabilities(estimator, x)
    if isinstance(estimator, lgb.LGBMClassifier):  # the booster skips the wrapper's checks
        booster = estimator.booster_
        best = estimator.best_iteration_ or None
        found = booster.predict(x, num_iteration=best, num_threads=threads)
        return np.asarray(found, dtype=float)
    if threads > 1 and isinstance(estimator, xgb.XGBClassifier):
        before = estimator.get_params()["n_jobs"]
        estimator.set_params(n_jobs=threads)
        try:
            return np.asarray(estimator.predict_proba(x)[:, 1], dtype=float)
        finally:
            estimator.set_params(n_jobs=before)
    if isinstance(estimator, HistGradientBoostingClassifier):  # OpenMP: bound its threads
        with _threads().limit(limits=threads, user_api="openmp"):
            return np.asarray(estimator.predict_proba(x)[:, 1], dtype=float)
    return np.asarray(estimator.predict_proba(x)[:, 1], dtype=float)


@cache
def _threads() -> ThreadpoolController:
    """The thread pools of the loaded libraries, inspected once."""
    return ThreadpoolController()
