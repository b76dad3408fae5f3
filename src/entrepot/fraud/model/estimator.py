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


def positive_scores(estimator: Any, x: np.ndarray, *, threads: int = 1) -> np.ndarray:
    """The estimator's fraud score for each row, predicted on ``threads`` threads."""
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
