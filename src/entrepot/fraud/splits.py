"""Train / validation / test splits that do not flatter the model.

With a timestamp the rows are ordered in time and cut 60 / 20 / 20: the model is
validated and tested on a later period than it learnt from, as it will be used. Without
one, or when a time cut leaves a split with too few frauds, the split is stratified at
random. The last 15 % of the training rows (in the same sense) are held out for early
stopping, so that neither validation nor test rows ever steer a fit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import train_test_split

#: Frauds that validation and test must each hold for their metrics to mean something.
MIN_SPLIT_FRAUDS = 5


@dataclass(frozen=True)
class Splits:
    """Row positions of each split."""

    kind: str  # "time" | "stratified"
    fit: np.ndarray  # training rows the models fit on
    stop: np.ndarray  # training rows held out for early stopping
    validation: np.ndarray
    test: np.ndarray

    @property
    def train(self) -> np.ndarray:
        """Every training row (fit and early-stopping)."""
        return np.sort(np.concatenate([self.fit, self.stop]))


def time_splits(order: np.ndarray, y: np.ndarray) -> Splits | None:
    """Cut rows, already in time ``order``, 60/20/20; ``None`` if a split lacks frauds."""
    n = len(order)
    a, b = int(n * 0.6), int(n * 0.8)
    train, val, test = order[:a], order[a:b], order[b:]
    if min(y[val].sum(), y[test].sum()) < MIN_SPLIT_FRAUDS:
        return None
    cut = int(len(train) * 0.85)
    if y[train[:cut]].sum() < 2 or y[train[cut:]].sum() < 1:
        return None
    return Splits("time", train[:cut], train[cut:], val, test)


def stratified_splits(y: np.ndarray, seed: int) -> Splits:
    """60/20/20 at random, keeping the fraud rate in every split."""
    rows = np.arange(len(y))
    rest, test = train_test_split(rows, test_size=0.2, stratify=y, random_state=seed)
    train, val = train_test_split(rest, test_size=0.25, stratify=y[rest], random_state=seed)
    fit, stop = train_test_split(train, test_size=0.15, stratify=y[train], random_state=seed)
    return Splits("stratified", np.sort(fit), np.sort(stop), np.sort(val), np.sort(test))
