"""Model search under a time budget: four model families, early stopping, random search.

Each trial fits on the training rows, stops boosting early on a slice held out of the
training rows (never on validation or test) and is scored by AUPRC on validation. The
defaults of every family run first (LightGBM, logistic regression, HistGradientBoosting,
XGBoost), then random configurations of the gradient-boosting libraries while time
remains. Boosting stops at the deadline, so a run ends close to its budget, and no trial
may take more than 35 % of it, so that a slow family's defaults leave time for tuning.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import lightgbm as lgb
import numpy as np
import xgboost as xgb
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import ThreadpoolController, threadpool_limits

from entrepot.fraud import linear

KINDS = ("lightgbm", "logistic_regression", "hist_gradient_boosting", "xgboost")
_PATIENCE = 50
#: The longest share of the budget one trial may take.
TRIAL_SHARE = 0.35


@dataclass
class Trial:
    """One fitted candidate and its validation score."""

    kind: str
    params: dict[str, Any]
    validation_auprc: float
    seconds: float
    iterations: int | None
    estimator: Any = field(repr=False)

    def to_dict(self) -> dict[str, object]:
        return {
            "model": self.kind,
            "params": self.params,
            "validation_auprc": round(self.validation_auprc, 6),
            "seconds": round(self.seconds, 3),
            "iterations": self.iterations,
        }


@dataclass(frozen=True)
class Data:
    """The arrays of a search: fit rows, early-stopping rows, validation rows."""

    x_fit: np.ndarray
    y_fit: np.ndarray
    x_stop: np.ndarray
    y_stop: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray


class _XgbDeadline(xgb.callback.TrainingCallback):
    def __init__(self, deadline: float) -> None:
        self.deadline = deadline

    def after_iteration(self, model: Any, epoch: int, evals_log: Any) -> bool:
        return time.monotonic() > self.deadline


def _lgb_deadline(deadline: float) -> Callable[[Any], None]:
    def check(env: Any) -> None:
        if time.monotonic() > deadline:
            raise lgb.callback.EarlyStopException(env.iteration, env.evaluation_result_list)

    check.order = 30  # type: ignore[attr-defined]  # after early stopping's bookkeeping
    return check


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


def fit_one(
    kind: str, params: dict[str, Any], data: Data, deadline: float, seed: int, n_jobs: int
) -> tuple[Any, int | None]:
    """Fit one model of ``kind``; returns it and its number of boosting rounds."""
    if kind == "lightgbm":
        model = lgb.LGBMClassifier(
            n_estimators=5000,
            metric="average_precision",
            random_state=seed,
            n_jobs=n_jobs,
            verbose=-1,
            **params,
        )
        model.fit(
            data.x_fit,
            data.y_fit,
            eval_X=(data.x_stop,),
            eval_y=(data.y_stop,),
            callbacks=[
                lgb.early_stopping(_PATIENCE, verbose=False),
                _lgb_deadline(deadline),
            ],
        )
        return model, int(model.best_iteration_ or model.n_estimators)
    if kind == "xgboost":
        model = xgb.XGBClassifier(
            n_estimators=5000,
            tree_method="hist",
            eval_metric="aucpr",
            early_stopping_rounds=_PATIENCE,
            random_state=seed,
            n_jobs=n_jobs,
            callbacks=[_XgbDeadline(deadline)],
            **params,
        )
        model.fit(data.x_fit, data.y_fit, eval_set=[(data.x_stop, data.y_stop)], verbose=False)
        model.set_params(callbacks=None)
        return model, int(model.best_iteration) + 1
    if kind == "hist_gradient_boosting":
        model = HistGradientBoostingClassifier(
            max_iter=1000,
            early_stopping=True,
            n_iter_no_change=30,
            scoring="average_precision",
            random_state=seed,
            **params,
        )
        model.fit(data.x_fit, data.y_fit, X_val=data.x_stop, y_val=data.y_stop)
        return model, int(model.n_iter_)
    if kind == "logistic_regression":
        model = logistic_pipeline(params)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(data.x_fit, data.y_fit)
        return model, None
    raise ValueError(f"unknown model kind {kind!r}; known: {', '.join(KINDS)}")


def refit_one(
    kind: str,
    params: dict[str, Any],
    iterations: int | None,
    x: np.ndarray,
    y: np.ndarray,
    seed: int,
    n_jobs: int,
) -> Any:
    """Fit ``kind`` with ``params`` on all of ``x`` for a fixed number of ``iterations``
    (found by early stopping on a smaller set), without holding rows out."""
    with threadpool_limits(limits=n_jobs):
        if kind == "lightgbm":
            model = lgb.LGBMClassifier(
                n_estimators=iterations or 100, random_state=seed, n_jobs=n_jobs, verbose=-1,
                **params,
            )  # fmt: skip
        elif kind == "xgboost":
            model = xgb.XGBClassifier(
                n_estimators=iterations or 100, tree_method="hist", random_state=seed,
                n_jobs=n_jobs, **params,
            )  # fmt: skip
        elif kind == "hist_gradient_boosting":
            model = HistGradientBoostingClassifier(
                max_iter=iterations or 100, early_stopping=False, random_state=seed, **params
            )
        elif kind == "logistic_regression":
            model = logistic_pipeline(params)
        else:
            raise ValueError(f"unknown model kind {kind!r}; known: {', '.join(KINDS)}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(x, y)
    return model


def logistic_pipeline(params: dict[str, Any]) -> Pipeline:
    """Median imputation with missing-value indicators, scaling, logistic regression."""
    return make_pipeline(
        SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
        StandardScaler(),
        LogisticRegression(max_iter=1000, **params),
    )


DEFAULTS: dict[str, dict[str, Any]] = {
    "lightgbm": {"learning_rate": 0.05, "num_leaves": 31, "min_child_samples": 20},
    "logistic_regression": {"C": 1.0},
    "hist_gradient_boosting": {"learning_rate": 0.1, "max_leaf_nodes": 31},
    "xgboost": {"learning_rate": 0.05, "max_depth": 6},
}
#: Rough cost of a family relative to LightGBM, to skip what cannot finish in time.
_RELATIVE_COST = {
    "lightgbm": 1.0,
    "logistic_regression": 0.3,
    "hist_gradient_boosting": 1.5,
    "xgboost": 1.5,
}


def sample_params(kind: str, rng: np.random.Generator, imbalance: float) -> dict[str, Any]:
    """A random configuration of ``kind`` (LightGBM or XGBoost)."""
    weight = float(rng.choice([1.0, np.sqrt(imbalance)]))
    subsample = round(float(rng.uniform(0.6, 1.0)), 3)
    colsample = round(float(rng.uniform(0.5, 1.0)), 3)
    learning_rate = round(float(np.exp(rng.uniform(np.log(0.01), np.log(0.2)))), 4)
    reg_lambda = round(float(np.exp(rng.uniform(np.log(1e-3), np.log(10.0)))), 4)
    if kind == "lightgbm":
        return {
            "learning_rate": learning_rate,
            "num_leaves": int(np.exp(rng.uniform(np.log(7), np.log(255)))),
            "min_child_samples": int(np.exp(rng.uniform(np.log(5), np.log(300)))),
            "subsample": subsample,
            "subsample_freq": 1,
            "colsample_bytree": colsample,
            "reg_lambda": reg_lambda,
            "scale_pos_weight": round(weight, 3),
        }
    return {
        "learning_rate": learning_rate,
        "max_depth": int(rng.integers(3, 11)),
        "min_child_weight": round(float(np.exp(rng.uniform(0, np.log(50)))), 3),
        "subsample": subsample,
        "colsample_bytree": colsample,
        "reg_lambda": reg_lambda,
        "scale_pos_weight": round(weight, 3),
    }


def search(
    data: Data,
    *,
    budget_seconds: float,
    kinds: tuple[str, ...] = KINDS,
    seed: int = 0,
    n_jobs: int = 1,
    on_trial: Callable[[Trial], None] | None = None,
) -> list[Trial]:
    """Run trials until the budget is spent; at least one trial always completes.

    ``n_jobs`` threads per fit: on a shared machine more threads than free cores make
    OpenMP libraries many times slower, so the default is one.
    """
    with threadpool_limits(limits=n_jobs):
        return _search(data, budget_seconds, kinds, seed, n_jobs, on_trial)


def _search(
    data: Data,
    budget_seconds: float,
    kinds: tuple[str, ...],
    seed: int,
    n_jobs: int,
    on_trial: Callable[[Trial], None] | None,
) -> list[Trial]:
    start = time.monotonic()
    deadline = start + budget_seconds
    rng = np.random.default_rng(seed)
    imbalance = max(1.0, float((data.y_fit == 0).sum() / max(data.y_fit.sum(), 1)))
    trials: list[Trial] = []
    unit: float | None = None  # seconds of one default LightGBM-sized trial

    def run(kind: str, params: dict[str, Any]) -> None:
        nonlocal unit
        began = time.monotonic()
        # No trial may take more than a share of the budget: a slow family's defaults
        # must leave time to tune the others.
        cap = min(deadline, began + budget_seconds * TRIAL_SHARE)
        model, iterations = fit_one(kind, params, data, cap, seed, n_jobs)
        seconds = time.monotonic() - began
        val = float(average_precision_score(data.y_val, positive_scores(model, data.x_val)))
        trial = Trial(kind, params, val, seconds, iterations, model)
        trials.append(trial)
        if unit is None or kind == "lightgbm":
            unit = seconds / _RELATIVE_COST[kind]
        if on_trial is not None:
            on_trial(trial)

    def affordable(kind: str) -> bool:
        expected = (unit or 0.0) * _RELATIVE_COST[kind]
        return not trials or time.monotonic() + expected <= deadline

    for kind in kinds:
        if affordable(kind):
            run(kind, dict(DEFAULTS[kind]))
    tunable = [k for k in ("lightgbm", "xgboost") if k in kinds]
    while tunable:
        best = max(trials, key=lambda t: t.validation_auprc)
        kind = (
            best.kind if best.kind in tunable and rng.random() < 0.7 else str(rng.choice(tunable))
        )
        if not affordable(kind) or time.monotonic() > deadline:
            break
        run(kind, sample_params(kind, rng, imbalance))
    return trials
