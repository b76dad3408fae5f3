"""Numbers of a scored table's rows read a slice at a time: what the figures after a
scoring (the estimate, the promise, the summary, the realised figures, the rows to
explain) read of every row, as sums, counts and order statistics over :data:`SLICE_ROWS`
rows at a time, whether the rows are an array or held on disk (issue 40 item 3, ADR 0136).

* A sum is each slice's sum added in order: the same bits for an array and for the same
  rows on disk, and for a file of one slice the array's own sum.
* The median is exact, the value ``numpy.median`` gives: the finite values are read in
  slices, counted by the leading bits of an order-preserving integer key (16 bits a pass)
  until the values that can hold the middle rank fit in a slice, which is then
  partitioned (at most four passes; a file of one slice is partitioned at once).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

import numpy as np

__all__ = ["SLICE_ROWS", "Flagged", "Sliced", "exact_median", "row_slices", "sliced_sum"]

#: Rows read at a time.
SLICE_ROWS = 1 << 20
#: The key's bits counted in a pass.
_DIGIT = 16


class Sliced(Protocol):
    """Numbers of the rows (their probabilities, horizons, instants), as an array or read a
    slice at a time as asked (``promise.RowHorizons``, ``column_on_disk.ColumnOnDisk``,
    ``held_pieces.HeldColumn``)."""

    def __len__(self) -> int: ...

    def __getitem__(self, rows: slice, /) -> np.ndarray: ...


class Flagged:
    """Whether each row is flagged (its prediction is 1), read a slice of its
    ``predictions`` at a time as asked."""

    def __init__(self, predictions: Sliced) -> None:
        self._predictions = predictions

    def __len__(self) -> int:
        return len(self._predictions)

    def __getitem__(self, rows: slice, /) -> np.ndarray:
        found: np.ndarray = np.asarray(self._predictions[rows]) == 1
        return found


def row_slices(values: Sliced, size: int | None = None) -> Iterator[tuple[int, np.ndarray]]:
    """Each slice of ``size`` rows (:data:`SLICE_ROWS`) of ``values`` (the last shorter),
    with its first row."""
    size = size or SLICE_ROWS
    for start in range(0, len(values), size):
        yield start, np.asarray(values[start : start + size])


def sliced_sum(values: Sliced) -> float:
    """The sum of ``values``, each slice's sum (NumPy's) added in order."""
    total = 0.0
    for _, some in row_slices(values):
        total += float(np.asarray(some, dtype=float).sum())
    return total


def exact_median(
    finite: Callable[[], Iterator[np.ndarray]], count: int, held: int | None = None
) -> float | None:
    """The median of the ``count`` finite values each call of ``finite`` yields, a piece at
    a time, as :func:`numpy.median` gives it (the two middle values' mean where ``count``
    is even); ``None`` when there are none. At most ``held`` values (:data:`SLICE_ROWS`)
    are gathered at once."""
    held = held or SLICE_ROWS
    if count <= 0:
        return None
    if count % 2:
        return _kth(finite, count // 2, count, held)
    low = _kth(finite, count // 2 - 1, count, held)
    high = _kth(finite, count // 2, count, held)
    return float(np.mean(np.asarray([low, high])))


def _kth(finite: Callable[[], Iterator[np.ndarray]], k: int, count: int, held: int) -> float:
    """The ``k``-th smallest (from 0) of the ``count`` values ``finite`` yields."""
    prefix, bits, left = 0, 0, count  # the keys' leading ``bits`` equal ``prefix``: ``left``
    while left > held and bits < 64:
        shift = 64 - bits - _DIGIT
        counts = np.zeros(1 << _DIGIT, dtype=np.int64)
        for keys in _matching(finite, prefix, bits):
            digits = ((keys >> np.uint64(shift)) & np.uint64((1 << _DIGIT) - 1)).astype(np.intp)
            counts += np.bincount(digits, minlength=1 << _DIGIT)
        ends = np.cumsum(counts)
        digit = int(np.searchsorted(ends, k, side="right"))
        k -= int(ends[digit - 1]) if digit else 0
        prefix, bits, left = (prefix << _DIGIT) | digit, bits + _DIGIT, int(counts[digit])
    if bits == 64:  # every value left has the same key: the same value
        return _value(np.asarray([prefix], dtype=np.uint64))
    gathered = [keys for keys in _matching(finite, prefix, bits)]
    keys = np.concatenate(gathered) if gathered else np.zeros(0, dtype=np.uint64)
    return _value(np.partition(keys, k)[k : k + 1])


def _matching(
    finite: Callable[[], Iterator[np.ndarray]], prefix: int, bits: int
) -> Iterator[np.ndarray]:
    """The keys of the values whose keys' leading ``bits`` equal ``prefix``."""
    for values in finite():
        keys = _keys(values)
        if bits:
            keys = keys[(keys >> np.uint64(64 - bits)) == np.uint64(prefix)]
        yield keys


def _keys(values: np.ndarray) -> np.ndarray:
    """Order-preserving unsigned keys of float values (``-0.0`` taken as ``0.0``, as
    comparisons do): a positive value's bits with the sign bit set, a negative one's
    inverted."""
    bits = (np.asarray(values, dtype=np.float64) + 0.0).view(np.uint64)
    negative = (bits >> np.uint64(63)).astype(bool)
    return np.where(negative, ~bits, bits | np.uint64(1 << 63))


def _value(keys: np.ndarray) -> float:
    """The float value of one key (:func:`_keys` undone)."""
    key = keys.astype(np.uint64)
    positive = (key >> np.uint64(63)).astype(bool)
    bits = np.where(positive, key & np.uint64((1 << 63) - 1), ~key)
    return float(bits.view(np.float64)[0])
