"""The configurations the model search tries: each family's defaults and their neighbours.

The defaults are regularised for rare, noisy positives: a fine binning of the features
(1,023 bins: amounts and behaviour ratios split where fraud starts, not at the quantiles
of the legitimate mass), half of the columns per tree, 80 % of the rows per tree and an L2
penalty. They learn fast (learning rate 0.1) so that the search can compare many of them;
the chosen one is then fitted again at a smaller learning rate (:func:`slower`) when the
budget allows. Tuning moves around the best configuration found so far, a few dimensions
at a time in a normalised space (log scale for scales and counts), as FLAML's CFO does,
rather than drawing from the whole space at random.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

DEFAULTS: dict[str, dict[str, Any]] = {
    "lightgbm": {
        "learning_rate": 0.1,
        "num_leaves": 15,
        "min_child_samples": 20,
        "colsample_bytree": 0.5,
        "subsample": 0.8,
        "subsample_freq": 1,
        "reg_lambda": 1.0,
        "max_bin": 1023,
    },
    "logistic_regression": {"C": 1.0},
    "xgboost": {
        "learning_rate": 0.1,
        "max_depth": 5,
        "min_child_weight": 1.0,
        "colsample_bytree": 0.5,
        "subsample": 0.8,
        "reg_lambda": 1.0,
        "max_bin": 1023,
    },
    "hist_gradient_boosting": {
        "learning_rate": 0.1,
        "max_leaf_nodes": 15,
        "min_samples_leaf": 20,
        "max_features": 0.5,
        "l2_regularization": 1.0,
    },
}
#: Families whose configurations the search tunes.
TUNABLE = ("lightgbm", "xgboost")
#: Families fitted by boosting, whose learning rate :func:`slower` can lower.
BOOSTED = ("lightgbm", "xgboost", "hist_gradient_boosting")


@dataclass(frozen=True)
class Dimension:
    """One tuned hyperparameter: its range, log scale or not, integer or not."""

    name: str
    low: float
    high: float
    log: bool = False
    integer: bool = False

    def to_unit(self, value: float) -> float:
        if self.log:
            return float(np.log(value / self.low) / np.log(self.high / self.low))
        return (value - self.low) / (self.high - self.low)

    def from_unit(self, u: float) -> float | int:
        u = min(1.0, max(0.0, u))
        if self.log:
            value = float(np.exp(np.log(self.low) + u * (np.log(self.high) - np.log(self.low))))
        else:
            value = self.low + u * (self.high - self.low)
        return round(value) if self.integer else round(value, 4)


_SHARED = (
    Dimension("colsample_bytree", 0.2, 1.0),
    Dimension("subsample", 0.5, 1.0),
    Dimension("reg_lambda", 1e-3, 100.0, log=True),
    Dimension("max_bin", 63, 1023, log=True, integer=True),
)
SPACES: dict[str, tuple[Dimension, ...]] = {
    "lightgbm": (
        Dimension("num_leaves", 4, 255, log=True, integer=True),
        Dimension("min_child_samples", 2, 300, log=True, integer=True),
        *_SHARED,
    ),
    "xgboost": (
        Dimension("max_depth", 2, 10, integer=True),
        Dimension("min_child_weight", 0.1, 50.0, log=True),
        *_SHARED,
    ),
}


def neighbour(
    kind: str, params: dict[str, Any], rng: np.random.Generator, step: float = 0.15
) -> dict[str, Any]:
    """``params`` with one to three of ``kind``'s dimensions moved by about ``step`` of
    their range (in the normalised space), the learning rate kept."""
    space = SPACES[kind]
    chosen = rng.choice(len(space), size=int(rng.integers(1, 4)), replace=False)
    out = dict(params)
    for i in sorted(int(c) for c in chosen):
        dim = space[i]
        current = float(out.get(dim.name, DEFAULTS[kind].get(dim.name, dim.low)))
        moved = dim.to_unit(current) + float(rng.normal(0.0, step))
        out[dim.name] = dim.from_unit(moved)
    return out


def slower(params: dict[str, Any], factor: float) -> dict[str, Any]:
    """``params`` with the learning rate multiplied by ``factor``."""
    return {**params, "learning_rate": round(float(params["learning_rate"]) * factor, 5)}
