"""Estimator scores, calibration and anomaly scores without the wrappers' overhead.

Each function here returns exactly what the general path computes
(:func:`entrepot.fraud.model.estimator.positive_scores`, :class:`Calibrator`,
:meth:`AnomalyModel.score`), the tests hold them equal for every model family; they
skip input validation and, for a few rows, per-call set-up that costs more than the
prediction:

* XGBoost: the booster's ``inplace_predict``, as ``predict_proba`` calls it;
* HistGradientBoosting: a few rows walk all the trees at once in numpy (scikit-learn
  predicts tree after tree, each call costing some microseconds, and needs a thread
  limit around its OpenMP loop); more rows go through scikit-learn;
* calibration: the fitted interpolation or logistic, called directly;
* anomaly: the histogram bins of every feature found at once for a few rows.

Anything these do not recognise goes through the general functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import xgboost as xgb
from scipy.special import expit
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

from entrepot.fraud.model import calibration
from entrepot.fraud.model.anomaly import AnomalyModel
from entrepot.fraud.model.estimator import positive_scores

#: Up to this many rows, trees are walked and anomaly bins found in numpy at once.
FEW = 64

Scorer = Callable[[np.ndarray, int], np.ndarray]


def scorer(estimator: Any) -> Scorer:
    """``f(x, threads)``: the estimator's positive scores, as :func:`positive_scores`."""
    if isinstance(estimator, xgb.XGBClassifier):
        return _xgboost(estimator)
    if isinstance(estimator, HistGradientBoostingClassifier):
        walker = _TreeWalker.of(estimator)
        if walker is not None:
            return walker
    return lambda x, threads: positive_scores(estimator, x, threads=threads)


def _xgboost(est: xgb.XGBClassifier) -> Scorer:
    def general(x: np.ndarray, threads: int) -> np.ndarray:
        return positive_scores(est, x, threads=threads)

    binary = getattr(est, "n_classes_", 0) == 2 and est.objective == "binary:logistic"
    if not binary or est.booster == "gblinear":
        return general
    try:
        rounds = (0, est.best_iteration + 1)
    except AttributeError:  # no early stopping: all the trees
        rounds = (0, 0)
    booster, missing = est.get_booster(), est.missing

    def scores(x: np.ndarray, threads: int) -> np.ndarray:
        if threads > 1:  # the general path sets the estimator's threads around the call
            return general(x, threads)
        found = booster.inplace_predict(
            x, iteration_range=rounds, predict_type="value", missing=missing
        )
        return np.asarray(found, dtype=float)

    return scores


class _TreeWalker:
    """A HistGradientBoostingClassifier's trees as flat arrays, walked all at once."""

    def __init__(self, est: HistGradientBoostingClassifier, nodes: list[np.ndarray]) -> None:
        self.est = est
        sizes = np.asarray([len(n) for n in nodes])
        self.roots = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.intp)
        flat = np.concatenate(nodes)
        offset = np.repeat(self.roots, sizes)
        self.leaf = flat["is_leaf"].astype(bool)
        self.feature = flat["feature_idx"].astype(np.intp)
        self.threshold = flat["num_threshold"].astype(float)
        self.nan_left = flat["missing_go_to_left"].astype(bool)
        self.left = flat["left"].astype(np.intp) + offset
        self.right = flat["right"].astype(np.intp) + offset
        self.value = flat["value"].astype(float)
        self.baseline = float(np.asarray(est._baseline_prediction).reshape(-1)[0])
        self.depth = int(flat["depth"].max()) if len(flat) else 0

    @classmethod
    def of(cls, est: HistGradientBoostingClassifier) -> _TreeWalker | None:
        """The walker of ``est``, or ``None`` if it is not a plain binary model."""
        try:
            if est._preprocessor is not None or est.n_trees_per_iteration_ != 1:
                return None
            if len(est.classes_) != 2:
                return None
            nodes = [p.nodes for (p,) in est._predictors]
        except (AttributeError, ValueError):  # another scikit-learn layout
            return None
        if any(bool(n["is_categorical"].any()) for n in nodes) or not nodes:
            return None
        return cls(est, nodes)

    def __call__(self, x: np.ndarray, threads: int) -> np.ndarray:
        if len(x) > FEW or x.ndim != 2 or x.shape[1] != self.est.n_features_in_:
            return positive_scores(self.est, x, threads=threads)
        x = np.asarray(x, dtype=float)
        node = np.broadcast_to(self.roots, (len(x), len(self.roots))).copy()
        rows = np.arange(len(x))[:, None]
        for _ in range(self.depth):
            inner = ~self.leaf[node]
            if not inner.any():
                break
            value = x[rows, self.feature[node]]
            left = np.where(np.isnan(value), self.nan_left[node], value <= self.threshold[node])
            node = np.where(inner, np.where(left, self.left[node], self.right[node]), node)
        raw = np.empty((len(x), 1))
        for i, leaves in enumerate(self.value[node].tolist()):
            total = self.baseline
            for v in leaves:  # tree after tree, as scikit-learn adds them
                total += v
            raw[i, 0] = total
        proba = self.est._loss.predict_proba(raw)
        return np.asarray(proba[:, 1], dtype=float)


def calibrated(calibrator: calibration.Calibrator) -> Callable[[np.ndarray], np.ndarray]:
    """``f(scores)``: the calibrator's probabilities, as ``calibrator(scores)``."""
    model = calibrator.model
    fitted = hasattr(model, "f_") and hasattr(model, "X_thresholds_")
    if isinstance(model, IsotonicRegression) and model.out_of_bounds == "clip" and fitted:
        dtype = model.X_thresholds_.dtype
        low, high, f = model.X_min_, model.X_max_, model.f_
        tie = getattr(calibrator, "tie_break", None)
        platt = None if tie is None else _platt(tie)
        if tie is not None and platt is None:
            return calibrator

        def isotonic(scores: np.ndarray) -> np.ndarray:
            t = np.clip(np.asarray(scores, dtype=dtype).reshape(-1), low, high)
            stepped = np.asarray(f(t).astype(t.dtype), dtype=float)
            return stepped if platt is None else calibration.blend(stepped, platt(scores))

        return isotonic
    if isinstance(model, LogisticRegression):
        return _platt(model) or calibrator
    return calibrator


def _platt(model: LogisticRegression) -> Callable[[np.ndarray], np.ndarray] | None:
    """The Platt map of a one-feature logistic regression, or ``None`` for another."""
    if np.shape(model.coef_) != (1, 1):
        return None
    coef_t, intercept = model.coef_.T, model.intercept_

    def platt(scores: np.ndarray) -> np.ndarray:
        decision = (calibration._logit(scores) @ coef_t + intercept).reshape(-1)
        return np.asarray(expit(decision), dtype=float)

    return platt


class AnomalyTables:
    """An :class:`AnomalyModel`'s bins and surprises as padded arrays."""

    def __init__(self, model: AnomalyModel) -> None:
        self.model = model
        features = len(model.edges)
        width = max((len(e) for e in model.edges), default=0)
        self.edges = np.full((features, width), np.inf)
        self.table = np.zeros((features, width + 1))
        for j, (inner, surprise) in enumerate(zip(model.edges, model.surprise, strict=True)):
            self.edges[j, : len(inner)] = inner
            self.table[j, : len(surprise)] = surprise
        pairs = zip(model.edges, model.surprise, strict=True)
        self.skip = np.asarray([t.size == 1 and e.size == 0 for e, t in pairs])
        self.low, self.high, self.width, self.top = (np.asarray(c) for c in model.ranges.T)
        self.features = np.arange(features)[:, None]

    def surprises(self, x: np.ndarray) -> np.ndarray:
        """:meth:`AnomalyModel.surprises` of ``x``."""
        if np.shape(x)[0] > FEW:  # a loop over features beats the padded arrays
            return self.model.surprises(x)
        columns = np.ascontiguousarray(np.asarray(x, dtype=float).T)
        bins = (columns[:, :, None] >= self.edges[:, None, :]).sum(axis=2)
        found: np.ndarray = self.table[self.features, bins]
        f, r = np.nonzero((columns < self.low[:, None]) | (columns > self.high[:, None]))
        if f.size:
            value = columns[f, r]
            distance = np.maximum(self.low[f] - value, value - self.high[f])
            found[f, r] = self.top[f] + np.log1p(distance / self.width[f])
        found[np.isnan(columns)] = 0.0
        found[self.skip] = 0.0
        return found

    def score(self, x: np.ndarray) -> np.ndarray:
        """:meth:`AnomalyModel.score` of ``x``."""
        if np.shape(x)[0] > FEW:
            return self.model.score(x)
        return self.model.rank(self.surprises(x).sum(axis=0))
