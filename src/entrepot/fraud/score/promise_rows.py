"""What a card's promise reads of a scored file's rows (``entrepot.fraud.score.promise``),
counted :data:`SLICE_ROWS` rows at a time: each replayed horizon's share of the
expected frauds, the rows by horizon and beyond the last, the horizons' range and median,
and the rows' mean distance after the card's test period.

Each is a sum or a count over the rows, so a slice's temporaries are all it holds beside
the rows' horizons, never the file's (about 60 bytes a row at once before: 1.2 GB at 20M
rows, the peak of a scoring's last steps, issue 40 item 3); the median is found exactly
in a few more passes over the slices (``row_slices.exact_median``, ADR 0136), where the
finite horizons were copied whole (8 bytes a row). A file of one slice is counted as a
whole, with the same sums; more slices add their sums in order.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from entrepot.fraud.model.behaviour import DAY
from entrepot.fraud.score.row_slices import SLICE_ROWS, Sliced, exact_median, row_slices

__all__ = ["MISSING", "SLICE_ROWS", "RowCounts", "Sliced", "counted"]

#: A row's instant when it has none (``FeatureBuilder.seconds``).
MISSING = np.iinfo(np.int64).min


@dataclass(frozen=True)
class RowCounts:
    """What the promise reads of the rows, each horizon of the card's ``days`` in turn."""

    #: Each horizon's share of the weights: a row between two counts under both, linearly.
    mass: np.ndarray
    #: The rows whose horizon is at or past each of the card's horizons (and before the next).
    rows_by_horizon: np.ndarray
    #: The rows past the last horizon.
    beyond: int
    #: The finite horizons' least, median and greatest (``None``: none is finite).
    least: float | None
    median: float | None
    greatest: float | None
    #: The rows' weighted mean distance in days after the card's test period, or ``None``.
    elapsed: float | None


def counted(
    card: Mapping[str, Any],
    days: np.ndarray,
    horizons: Sliced,
    weights: Sliced | None,
    seconds: Sliced | None,
) -> RowCounts:
    """The counts of the rows with these ``horizons`` (days; every row at the first of the
    card's horizons when no feature reads a label), ``weights`` (``None``: one a row) and
    instants (``seconds``, or ``None``) against the card's replayed horizons ``days``."""
    reads = bool(card.get("reads_labels", True))
    mass = np.zeros(len(days))
    rows = np.zeros(len(days), dtype=np.int64)
    beyond = 0
    ages = _Ages(card.get("observed"), seconds)
    spread = _Spread()
    for start, some in _horizon_slices(horizons, reads, days):
        w = (
            np.ones(len(some))
            if weights is None
            else np.asarray(weights[start : start + SLICE_ROWS], dtype=float)
        )
        mass += _mass(days, some, w)
        bucket = np.clip(np.searchsorted(days, some, side="right") - 1, 0, len(days) - 1)
        rows += np.bincount(bucket, minlength=len(days))
        beyond += int((some > days[-1]).sum())
        spread.add(some[np.isfinite(some)])
        ages.add(start, w)

    def finite() -> Iterator[np.ndarray]:
        for _, some in _horizon_slices(horizons, reads, days):
            yield some[np.isfinite(some)]

    median = exact_median(finite, spread.count, SLICE_ROWS)
    return RowCounts(mass, rows, beyond, spread.least, median, spread.greatest, ages.mean())


def _horizon_slices(
    horizons: Sliced, reads: bool, days: np.ndarray
) -> Iterator[tuple[int, np.ndarray]]:
    """Each slice of the rows' ``horizons`` with its first row (every row at the first of
    the card's horizons ``days`` where no feature ``reads`` a label: its age is moot)."""
    for start, some in row_slices(horizons, SLICE_ROWS):
        some = some.astype(float, copy=False)
        yield start, (some if reads else np.full(len(some), days[0]))


class _Spread:
    """The finite horizons' count, least and greatest, added a slice at a time."""

    def __init__(self) -> None:
        self.count = 0
        self.least: float | None = None
        self.greatest: float | None = None

    def add(self, values: np.ndarray) -> None:
        if not len(values):
            return
        low, high = float(values.min()), float(values.max())
        self.count += len(values)
        self.least = low if self.least is None else min(self.least, low)
        self.greatest = high if self.greatest is None else max(self.greatest, high)


class _Ages:
    """The rows' mean distance in days after the middle of the card's test period, weighted
    as the figures (rows before it count 0, rows without a time not at all), added a slice
    at a time; ``None`` when the card or the rows have no instants."""

    def __init__(self, observed: Mapping[str, Any] | None, seconds: Sliced | None) -> None:
        self._center = None if not observed else float(observed["test_center"])
        self._seconds = seconds
        self._sums = np.zeros(3)  # weighted days, weights, days
        self._rows = 0

    def add(self, start: int, weights: np.ndarray) -> None:
        if self._center is None or self._seconds is None:
            return
        some = np.asarray(self._seconds[start : start + len(weights)])
        known = some != MISSING
        days = np.maximum(0.0, (some[known].astype(float) - self._center) / DAY)
        w = np.asarray(weights, dtype=float)[known]
        self._sums += (float((days * w).sum()), float(w.sum()), float(days.sum()))
        self._rows += len(days)

    def mean(self) -> float | None:
        if not self._rows:
            return None
        weighted, weights, days = self._sums
        return float(weighted / weights) if weights > 0 else float(days / self._rows)


def _mass(days: np.ndarray, horizons: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Each replayed horizon's share of ``weights``: a row between two horizons counts under
    both, linearly in days (under the first, the first; beyond the last, the last)."""
    x = np.clip(np.nan_to_num(horizons, nan=np.inf), days[0], days[-1])
    low = np.clip(np.searchsorted(days, x, side="right") - 1, 0, len(days) - 1)
    high = np.minimum(low + 1, len(days) - 1)
    span = days[high] - days[low]
    frac = np.divide(x - days[low], span, out=np.zeros_like(x), where=span > 0)
    size = len(days)
    return np.asarray(
        np.bincount(low, weights=weights * (1.0 - frac), minlength=size)
        + np.bincount(high, weights=weights * frac, minlength=size)
    )
