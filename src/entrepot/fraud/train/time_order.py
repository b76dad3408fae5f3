"""The order in time of a table's rows, for out-of-time splits (ADR 0039).

A timestamp gives it, in seconds. Without one, an integer counter of time named so
(``step``, ``hour_index``, ``day``...: whole numbers that repeat over many rows, as
PaySim's ``step`` counts hours) is offered instead; its unit is a day only when its name
says so, so only then can a label delay in days become a gap, and days be counted. Without
either the rows have no time order and the split is random.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from entrepot.fraud.model.features import FeatureSpec
from entrepot.fraud.schema.analysis import Analysis
from entrepot.fraud.schema.time_counter import COVERED, normal, time_counter
from entrepot.fraud.tables.timeparse import parse_times

DAY_SECONDS = 86_400
_DAY_WORDS = ("day", "jour")


@dataclass(frozen=True)
class TimeOrder:
    """``values``: each row's place in time (NaN where unknown), in ``unit``s; ``kind``:
    ``"timestamp"``, ``"counter"`` or ``"none"``; ``per_day``: units in a day, when known."""

    kind: str
    column: str | None = None
    values: np.ndarray | None = None
    per_day: float | None = None

    def days(self, rows: np.ndarray) -> np.ndarray | None:
        """The day number of ``rows``, when the unit is known."""
        if self.values is None or self.per_day is None:
            return None
        return np.asarray(np.floor(self.values[rows] / self.per_day))


def time_order(frame: pd.DataFrame, spec: FeatureSpec, analysis: Analysis) -> TimeOrder:
    """The time order of ``frame``'s rows: its timestamp, else a time counter, else none."""
    if spec.timestamp and spec.time_format:
        times = parse_times(frame[spec.timestamp], spec.time_format)
        if times.notna().mean() >= COVERED:
            seconds = times.to_numpy(dtype="datetime64[s]").astype(np.int64).astype(float)
            values = np.where(times.isna().to_numpy(), np.nan, seconds)
            return TimeOrder("timestamp", spec.timestamp, values, float(DAY_SECONDS))
    found = time_counter(frame, analysis.columns)
    if found is not None:
        name, values = found
        per_day = 1.0 if any(w in normal(name) for w in _DAY_WORDS) else None
        return TimeOrder("counter", name, values, per_day)
    return TimeOrder("none")


def order_of(values: np.ndarray) -> np.ndarray:
    """Row positions in time order, rows without a time last."""
    key = np.where(np.isnan(values), np.inf, values)
    return np.argsort(key, kind="stable")
