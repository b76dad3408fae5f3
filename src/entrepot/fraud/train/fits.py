"""One candidate of the model search fitted: :func:`fit_one` fits a family's model with
early stopping on the early-stopping rows and a deadline read on a clock; :class:`Data`
holds the arrays every fit reads, :class:`Trial` a fitted candidate and its validation
score (``entrepot.fraud.train.search`` chooses which to fit, ``entrepot.fraud.train.trials``
runs them, here or on workers)."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import lightgbm as lgb
import numpy as np
import xgboost as xgb
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning

from entrepot.fraud.train.clocks import Clock
from entrepot.fraud.train.devices import boosting_params, to_cpu
from entrepot.fraud.train.logistic import logistic_pipeline, logistic_rows

KINDS = ("lightgbm", "logistic_regression", "xgboost", "hist_gradient_boosting")
_PATIENCE = 50


@dataclass
class Trial:
    """One fitted candidate and its validation score."""

    kind: str
    params: dict[str, Any]
    validation_auprc: float
    seconds: float
    iterations: int | None
    estimator: Any = field(repr=False)
    stage: str = "default"  # "default" | "tuned" | "refined"
    refines: int | None = None  # position of the trial a refined one fits again
    cut_short: bool = False  # the deadline stopped it, not early stopping
    validation_scores: np.ndarray | None = field(repr=False, default=None)

    def to_dict(self) -> dict[str, object]:
        return {
            "model": self.kind,
            "stage": self.stage,
            "params": self.params,
            "validation_auprc": round(self.validation_auprc, 6),
            "seconds": round(self.seconds, 3),
            "iterations": self.iterations,
            "cut_short": self.cut_short,
        }


@dataclass(frozen=True)
class Data:
    """The arrays of a search: fit rows, early-stopping rows, validation (selection) rows.

    Training passes its validation rows as the early-stopping rows too. ``w_fit`` weighs
    the fit rows (``entrepot.fraud.train.thinning``); ``None`` weighs them all 1."""

    x_fit: np.ndarray
    y_fit: np.ndarray
    x_stop: np.ndarray
    y_stop: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    w_fit: np.ndarray | None = None


class _XgbDeadline(xgb.callback.TrainingCallback):
    def __init__(self, deadline: float, clock: Clock) -> None:
        self.deadline = deadline
        self.clock = clock

    def after_iteration(self, model: Any, epoch: int, evals_log: Any) -> bool:
        return self.clock() > self.deadline


def _lgb_deadline(deadline: float, clock: Clock) -> Callable[[Any], None]:
    def check(env: Any) -> None:
        if clock() > deadline:
            raise lgb.callback.EarlyStopException(env.iteration, env.evaluation_result_list)

    # After early stopping (order 30), strictly: LightGBM keeps its callbacks in a set and
    # sorts them by order, so two of equal order ran in the order of their ids, and the
    # round where early stopping ends read the clock once more or not, run to run (a
    # step clock's trial then spent one step more or less: another search, another model).
    check.order = 31  # type: ignore[attr-defined]
    return check


def _xgb_rounds(model: Any) -> int:
    """The rounds an XGBoost model keeps: its best iteration + 1, or every round it boosted
    when the deadline stopped it before early stopping recorded a best one (xgboost then
    raises on ``best_iteration``)."""
    booster = model.get_booster()
    best = booster.attr("best_iteration")
    return int(best) + 1 if best is not None else int(booster.num_boosted_rounds())


def fit_one(
    kind: str,
    params: dict[str, Any],
    data: Data,
    deadline: float,
    seed: int,
    n_jobs: int,
    clock: Clock = time.monotonic,
    device: str = "cpu",
) -> tuple[Any, int | None]:
    """Fit one model of ``kind``; returns it and its number of boosting rounds. Boosting
    stops early on the early-stopping rows, or when ``clock()`` passes ``deadline``.
    ``device``: where XGBoost boosts (:mod:`entrepot.fraud.train.devices`)."""
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
            sample_weight=data.w_fit,
            eval_X=(data.x_stop,),
            eval_y=(data.y_stop,),
            callbacks=[
                lgb.early_stopping(_PATIENCE, verbose=False),
                _lgb_deadline(deadline, clock),
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
            callbacks=[_XgbDeadline(deadline, clock)],
            **boosting_params(device),
            **params,
        )
        model.fit(
            data.x_fit,
            data.y_fit,
            sample_weight=data.w_fit,
            eval_set=[(data.x_stop, data.y_stop)],
            verbose=False,
        )
        model.set_params(callbacks=None)
        to_cpu(model, device)
        return model, _xgb_rounds(model)
    if kind == "hist_gradient_boosting":
        model = HistGradientBoostingClassifier(
            max_iter=1000,
            early_stopping=True,
            n_iter_no_change=30,
            scoring="average_precision",
            random_state=seed,
            **params,
        )
        model.fit(
            _no_empty_column(data.x_fit),
            data.y_fit,
            sample_weight=data.w_fit,
            X_val=data.x_stop,
            y_val=data.y_stop,
        )
        return model, int(model.n_iter_)
    if kind == "logistic_regression":
        model = logistic_pipeline(params)
        x, y, w = logistic_rows(data.x_fit, data.y_fit, data.w_fit, seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(x, y, logisticregression__sample_weight=w)
        return model, None
    raise ValueError(f"unknown model kind {kind!r}; known: {', '.join(KINDS)}")


def _no_empty_column(x: np.ndarray) -> np.ndarray:
    """``x`` with each column missing on every row read as 0 (a constant, never split on):
    scikit-learn's histogram binning fails on a column with no value at all (a customer
    feature of a table whose customers never repeat, a risk feature no label reaches)."""
    empty = np.isnan(x).all(axis=0)
    if not empty.any():
        return x
    out = x.copy()
    out[:, empty] = 0.0
    return out
