"""Train / validation / test splits that do not flatter the model.

With a time order (a timestamp, or an integer counter of time) the rows are ordered in
time and cut 60 / 20 / 20: the model is validated and tested on a later period than it
learnt from, as it will be used. With a timestamp, the rows of the label delay before the
test period are a *gap*: neither fitted nor measured, as the labels of the last days
before a scoring are not known yet when it starts (ADR 0039). Without a time order, or
when a time cut leaves a split with too few frauds, or too few legitimate rows (a sample
whose legitimate rows all fall on its first day: a validation of frauds alone cannot
calibrate a model), the split is stratified at random and the card says why.
Models fit on the training rows; validation chooses among them (and when their boosting
stops), calibrates them and sets the threshold; test rows only measure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.model_selection import train_test_split

#: Frauds that validation and test must each hold for their metrics to mean something.
MIN_SPLIT_FRAUDS = 5
#: Frauds the training rows must hold.
MIN_TRAIN_FRAUDS = 2
#: Legitimate rows that every split must hold: a window of one class calibrates nothing
#: and measures nothing.
MIN_SPLIT_LEGITIMATE = 5


@dataclass(frozen=True)
class Splits:
    """Row positions of each split."""

    kind: str  # "time" | "stratified"
    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray
    gap: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def layout(self) -> np.ndarray:
        """The rows of a matrix laid out train | validation | test, each split in its own
        order (gap rows left out): :meth:`views` cuts it without a copy."""
        return np.concatenate([self.train, self.validation, self.test]).astype(np.int64)

    def views(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The train, validation and test rows of ``x``, a matrix of :attr:`layout`'s
        rows, as views of it."""
        a, b = len(self.train), len(self.train) + len(self.validation)
        return x[:a], x[a:b], x[b:]

    def places_in_train(self, rows: np.ndarray) -> np.ndarray:
        """Where the training ``rows`` (positions in the table) stand in :attr:`train`."""
        slot = np.full(int(max(self.train.max(initial=-1), rows.max(initial=-1))) + 1, -1)
        slot[self.train] = np.arange(len(self.train))
        places: np.ndarray = slot[rows]
        if (places < 0).any():
            raise ValueError("rows outside the training split")
        return places


def time_splits(
    order: np.ndarray,
    y: np.ndarray,
    times: np.ndarray | None = None,
    gap: float = 0.0,
) -> Splits | None:
    """Cut rows, already in time ``order``, 60/20/20; ``None`` if a split lacks frauds.

    ``times`` (of the rows, in any unit) and ``gap`` (in the same unit): the training and
    validation rows less than ``gap`` before the test period's first row are left out of
    both, as a gap.
    """
    n = len(order)
    a, b = int(n * 0.6), int(n * 0.8)
    train, val, test = order[:a], order[a:b], order[b:]
    between = np.zeros(0, dtype=np.int64)
    if times is not None and gap > 0 and len(test):
        start = times[test[0]]
        before = order[:b]
        between = before[times[before] > start - gap]
        train = train[times[train] <= start - gap]
        val = val[times[val] <= start - gap]
    if min(y[val].sum(), y[test].sum()) < MIN_SPLIT_FRAUDS or y[train].sum() < MIN_TRAIN_FRAUDS:
        return None
    if one_class(y, (train, val, test)):
        return None
    return Splits("time", np.sort(train), val, test, np.sort(between))


def one_class(y: np.ndarray, windows: tuple[np.ndarray, ...]) -> bool:
    """Whether a window holds (almost) only frauds: fewer than
    :data:`MIN_SPLIT_LEGITIMATE` legitimate rows."""
    return any(len(w) - int(y[w].sum()) < MIN_SPLIT_LEGITIMATE for w in windows)


def time_cut_one_class(order: np.ndarray, y: np.ndarray) -> bool:
    """Whether the plain 60/20/20 time cut of ``order`` leaves a window of one class."""
    n = len(order)
    a, b = int(n * 0.6), int(n * 0.8)
    return one_class(y, (order[:a], order[a:b], order[b:]))


def stratified_splits(y: np.ndarray, seed: int) -> Splits:
    """60/20/20 at random, keeping the fraud rate in every split."""
    rows = np.arange(len(y))
    rest, test = train_test_split(rows, test_size=0.2, stratify=y, random_state=seed)
    train, val = train_test_split(rest, test_size=0.25, stratify=y[rest], random_state=seed)
    return Splits("stratified", np.sort(train), np.sort(val), np.sort(test))


def with_training_rows(splits: Splits, start: int, count: int) -> Splits:
    """``splits`` with ``count`` rows appended at position ``start`` onwards in training
    (validation and test unchanged)."""
    added = np.arange(start, start + count)
    return Splits(
        splits.kind,
        np.concatenate([splits.train, added]),
        splits.validation,
        splits.test,
        splits.gap,
    )
