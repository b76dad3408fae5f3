"""Inputs that alone separate the label almost perfectly: suspected leaks (ADR 0039).

A column written after the fact (a chargeback amount, a case number, a score an
investigation filled in) tells the label without being known when a transaction is
scored. Each input is read alone as levels (its values, or 32 quantile bins of a number,
missing as a level of its own); each level's fraud rate on the training rows scores the
validation rows (a level not seen in training: the training fraud rate); a number is
also read as a score itself, upwards and downwards (missing values at the training
median). An input whose best validation AUPRC so read reaches :data:`LEAK_AUPRC` is a
suspected leak. The exact case,
every value with one class, is the analysis's ``leak`` role
(:func:`entrepot.fraud.schema.target.leaking_columns`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score

#: The validation AUPRC from which one input alone is a suspected leak.
LEAK_AUPRC = 0.99
#: Quantile bins of a numeric input.
BINS = 32


@dataclass(frozen=True)
class SuspectedLeak:
    """An input whose values alone give ``auprc`` on validation rows; ``kept`` when the
    person training asked to keep it."""

    column: str
    auprc: float
    kept: bool = False

    def to_dict(self) -> dict[str, object]:
        return {"column": self.column, "auprc": round(self.auprc, 6), "kept": self.kept}


def levels(values: pd.Series, fit_rows: np.ndarray, numbers: pd.Series | None = None) -> np.ndarray:
    """Each row's level as an integer code: quantile bins of the fit rows for a number,
    the value itself (as text) otherwise, missing as a level of its own (-1). ``numbers``:
    ``values`` read as numbers (``pd.to_numeric(values, errors="coerce")``), where the
    caller has them."""
    if numbers is None:
        numbers = pd.to_numeric(values, errors="coerce")
    if numbers.notna().sum() >= 0.95 * values.notna().sum() and numbers.nunique() > BINS:
        fitted = numbers.iloc[fit_rows].dropna().to_numpy(dtype=float)
        if fitted.size:
            edges = np.unique(np.quantile(fitted, np.linspace(0, 1, BINS + 1)[1:-1]))
            bins: np.ndarray = np.searchsorted(edges, numbers.to_numpy(dtype=float), side="right")
            bins[numbers.isna().to_numpy()] = -1
            return bins
    # integers are their own text's levels; anything else is read as its text (1 and "1"
    # one level)
    plain = values if pd.api.types.is_integer_dtype(values.dtype) else values.astype("string")
    codes: np.ndarray = pd.factorize(plain, use_na_sentinel=True)[0].astype(np.int64)
    return codes


#: The head of a text column whose share of distinct values says whether to parse each
#: distinct value once (:func:`as_numbers`).
HEAD = 10_000


def as_numbers(values: pd.Series) -> pd.Series:
    """``pd.to_numeric(values, errors="coerce")``; a text column of few distinct values
    (at most half of its first :data:`HEAD`) has each parsed once and spread back (a
    column of a few labels, 5M rows: 2.9 s -> 0.1 s); the same values and type."""
    texts = pd.api.types.is_string_dtype(values.dtype) or values.dtype == object
    if not texts or values.iloc[:HEAD].nunique(dropna=False) * 2 > min(len(values), HEAD):
        return pd.to_numeric(values, errors="coerce")
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    parsed = pd.to_numeric(pd.Series(distinct, dtype=values.dtype), errors="coerce")
    if not isinstance(parsed.dtype, np.dtype):  # an extension type: as pandas makes it
        return pd.to_numeric(values, errors="coerce")
    return pd.Series(parsed.to_numpy()[codes], index=values.index, name=values.name)


def alone_auprc(values: pd.Series, y: np.ndarray, fit: np.ndarray, measure: np.ndarray) -> float:
    """The AUPRC on the ``measure`` rows of ``values`` read alone (module docstring)."""
    truth = y[measure]
    if truth.min() == truth.max():
        return float("nan")
    numbers = as_numbers(values)  # once: the slowest step on text
    keys = levels(values, fit, numbers)
    rates = pd.Series(y[fit].astype(float)).groupby(keys[fit]).mean()
    base = float(y[fit].mean())
    score = pd.Series(keys[measure]).map(rates).fillna(base).to_numpy(dtype=float)
    best = float(average_precision_score(truth, score))
    if numbers.iloc[measure].notna().any():
        middle = float(numbers.iloc[fit].median()) if numbers.iloc[fit].notna().any() else 0.0
        ranked = numbers.iloc[measure].fillna(middle).to_numpy(dtype=float)
        for sign in (1.0, -1.0):
            best = max(best, float(average_precision_score(truth, sign * ranked)))
    return best


def suspected_leaks(
    data: pd.DataFrame,
    y: np.ndarray,
    columns: list[str],
    fit: np.ndarray,
    measure: np.ndarray,
    keep: tuple[str, ...] = (),
) -> list[SuspectedLeak]:
    """The ``columns`` of ``data`` whose values alone reach :data:`LEAK_AUPRC` (levels
    learnt on the ``fit`` rows, measured on the ``measure`` rows); ``keep``: the ones the
    person training keeps deliberately (reported as kept)."""
    found = []
    for col in columns:
        auprc = alone_auprc(data[col], y, fit, measure)
        if auprc >= LEAK_AUPRC:
            found.append(SuspectedLeak(col, auprc, kept=col in keep))
    return found
