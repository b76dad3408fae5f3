"""Model search under a time budget: four model families, early stopping, local tuning.

Every trial fits on all the training rows, stops boosting when average precision on the
validation rows stops improving (validation chooses the number of rounds, as it chooses
every other hyperparameter) and is scored by AUPRC there; the test rows are never seen.
The search runs in three stages (``entrepot.fraud.train.space`` holds the configurations):

1. each family's defaults, LightGBM first, at a learning rate of 0.1;
2. tuning: neighbours of the best LightGBM or XGBoost configuration while time remains;
3. refinement: the best boosted configuration fitted again with its learning rate
   multiplied by the smallest factor from 0.2 to 0.7 that the time left affords.

The first boosted fit shows what a fit costs: time for stage 3 (at most 65 % of the
budget) is set aside then, and a default or tuning trial that would eat into it waits
until after the refinement, if time remains. Boosting stops at the deadline, and no trial
of stages 1-2 may take more than 35 % of the budget, so that a slow family's defaults
leave time for the others. :func:`choose` keeps the best configuration, refined.
"""

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
from sklearn.metrics import average_precision_score
from threadpoolctl import threadpool_limits

from entrepot.fraud.model.estimator import positive_scores
from entrepot.fraud.train.clocks import Clock
from entrepot.fraud.train.logistic import logistic_pipeline, logistic_rows
from entrepot.fraud.train.space import BOOSTED, DEFAULTS, TUNABLE, neighbour, slower

KINDS = ("lightgbm", "logistic_regression", "xgboost", "hist_gradient_boosting")
_PATIENCE = 50
#: The longest share of the budget one trial of the defaults or the tuning may take.
TRIAL_SHARE = 0.35
#: The refinement multiplies the learning rate by the smallest factor the time left
#: affords, at least the first of these; it is skipped if that exceeds the second.
REFINE_FACTORS = (0.2, 0.7)
#: The largest share of the budget set aside for the refinement.
REFINE_SHARE = 0.65
#: Margin on the expected cost of the refinement: a fit's time varies by a third on a
#: shared machine, and a refinement the deadline cuts short is rarely worth keeping.
_REFINE_MARGIN = 1.25


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

    check.order = 30  # type: ignore[attr-defined]  # after early stopping's bookkeeping
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
) -> tuple[Any, int | None]:
    """Fit one model of ``kind``; returns it and its number of boosting rounds. Boosting
    stops early on the early-stopping rows, or when ``clock()`` passes ``deadline``."""
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


#: Rough cost of a family relative to LightGBM, to skip what cannot finish in time.
_RELATIVE_COST = {
    "lightgbm": 1.0,
    "logistic_regression": 0.3,
    "hist_gradient_boosting": 1.5,
    "xgboost": 1.5,
}


def search(
    data: Data,
    *,
    budget_seconds: float,
    kinds: tuple[str, ...] = KINDS,
    seed: int = 0,
    n_jobs: int = 1,
    on_trial: Callable[[Trial], None] | None = None,
    clock: Clock = time.monotonic,
) -> list[Trial]:
    """Run trials until the budget is spent; at least one trial always completes.

    ``n_jobs`` threads per fit: on a shared machine more threads than free cores make
    OpenMP libraries many times slower, so the default is one. ``clock`` measures the
    budget (seconds).
    """
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        found = ", ".join(unknown) or "none given"
        raise ValueError(f"unknown model kinds: {found}; known: {', '.join(KINDS)}")
    with threadpool_limits(limits=n_jobs):
        return _Search(data, budget_seconds, seed, n_jobs, on_trial, clock).run(kinds)


def choose(trials: list[Trial]) -> Trial:
    """The model to keep: the unrefined trial with the best validation AUPRC, replaced by
    its refinement unless the deadline cut that short; a refinement cut short, or of
    another trial, wins only on its own validation AUPRC.

    Among configurations compared at the same learning rate the validation AUPRC chooses;
    the same configuration at a smaller rate generalises at least as well, and the small
    gaps between their scores on a few hundred validation frauds are noise.
    """
    if not trials:
        raise ValueError("no trial to choose from")
    refined = [t for t in trials if t.stage == "refined"]
    best = max([t for t in trials if t.stage != "refined"] or trials, key=_score)
    for t in refined:
        if not t.cut_short and t.refines is not None and trials[t.refines] is best:
            return t
    return max([best, *refined], key=_score)


def _score(trial: Trial) -> float:
    return trial.validation_auprc


def refine_factor(seconds: float, left: float) -> float | None:
    """The learning-rate factor that refines, in ``left`` seconds, a boosted model whose
    fit took ``seconds``; ``None`` when even the largest of :data:`REFINE_FACTORS` cannot."""
    low, high = REFINE_FACTORS
    factor = max(low, _REFINE_MARGIN * seconds / max(left, 1e-9))
    return round(factor, 3) if factor <= high else None


def refine_reserve(seconds: float, budget_seconds: float) -> float:
    """Seconds to set aside for refining a boosted model whose fit took ``seconds``: at
    most :data:`REFINE_SHARE` of the budget, 0 if that cannot afford a refinement."""
    low, _ = REFINE_FACTORS
    reserve = min(_REFINE_MARGIN * seconds / low, REFINE_SHARE * budget_seconds)
    return reserve if refine_factor(seconds, reserve) is not None else 0.0


class _Search:
    def __init__(
        self,
        data: Data,
        budget: float,
        seed: int,
        n_jobs: int,
        on_trial: Callable[[Trial], None] | None,
        clock: Clock,
    ) -> None:
        self.data, self.budget, self.seed, self.n_jobs = data, budget, seed, n_jobs
        self.on_trial, self.clock = on_trial, clock
        self.deadline = clock() + budget
        self.rng = np.random.default_rng(seed)
        self.trials: list[Trial] = []
        self.unit: float | None = None  # seconds of one default LightGBM-sized trial
        self.reserve = 0.0  # seconds kept for the refinement
        self.reserved = False  # whether the reserve was set (by the first boosted trial)

    def run(self, kinds: tuple[str, ...]) -> list[Trial]:
        self.defaults(kinds)
        tunable = [k for k in TUNABLE if k in kinds]
        while tunable:
            leader = self.best(tunable)
            kind = (
                leader.kind
                if leader is not None and self.rng.random() < 0.8
                else str(self.rng.choice(tunable))
            )
            if not self.affordable(kind):
                break
            base = self.best((kind,))
            start = base.params if base is not None else DEFAULTS[kind]
            self.fit(kind, neighbour(kind, start, self.rng), "tuned")
        self.refine([k for k in BOOSTED if k in kinds])
        self.reserve, self.reserved = 0.0, True  # time left: the defaults skipped for it
        self.defaults(kinds)
        return self.trials

    def defaults(self, kinds: tuple[str, ...]) -> None:
        tried = {t.kind for t in self.trials}
        for kind in kinds:
            if kind not in tried and self.affordable(kind):
                self.fit(kind, dict(DEFAULTS[kind]), "default")

    def best(self, kinds: tuple[str, ...] | list[str]) -> Trial | None:
        found = [t for t in self.trials if t.kind in kinds]
        return max(found, key=lambda t: t.validation_auprc) if found else None

    def affordable(self, kind: str) -> bool:
        expected = (self.unit or 0.0) * _RELATIVE_COST[kind]
        return not self.trials or self.clock() + expected <= self.deadline - self.reserve

    def refine(self, boosted: list[str]) -> None:
        """The best boosted configuration again at the smallest affordable learning rate."""
        base = self.best(boosted)
        if base is None or base.cut_short:  # a slower rate would be cut shorter still
            return
        factor = refine_factor(base.seconds, self.deadline - self.clock())
        if factor is not None:
            self.fit(base.kind, slower(base.params, factor), "refined", self.deadline)
            self.trials[-1].refines = self.trials.index(base)

    def fit(self, kind: str, params: dict[str, Any], stage: str, cap: float | None = None) -> None:
        began = self.clock()
        # Outside the refinement no trial may take more than a share of the budget: a slow
        # family's defaults must leave time for the others.
        cap = min(self.deadline, began + self.budget * TRIAL_SHARE) if cap is None else cap
        model, iterations = fit_one(
            kind, params, self.data, cap, self.seed, self.n_jobs, self.clock
        )
        ended = self.clock()
        seconds = ended - began
        scores = positive_scores(model, self.data.x_val)
        val = float(average_precision_score(self.data.y_val, scores))
        trial = Trial(kind, params, val, seconds, iterations, model, stage)
        trial.cut_short, trial.validation_scores = ended >= cap, scores
        self.trials.append(trial)
        if self.unit is None or (kind == "lightgbm" and stage != "refined"):
            self.unit = seconds / _RELATIVE_COST[kind]
        if kind in BOOSTED and not self.reserved:
            reserve = 0.0 if trial.cut_short else refine_reserve(seconds, self.budget)
            self.reserve, self.reserved = reserve, True
        if self.on_trial is not None:
            self.on_trial(trial)
