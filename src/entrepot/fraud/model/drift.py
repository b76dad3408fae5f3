"""Population stability: how far a file's columns and scores moved from the training data.

A reference is kept per model input at training: for numbers, the training deciles as bin
edges and the share of rows in each bin (missing values a bin of their own); for other
columns, the shares of the 20 most frequent values and of the rest. The population
stability index of a new sample is ``sum((new - ref) * ln(new / ref))`` over the bins,
shares floored at :data:`FLOOR` so an empty bin counts without dividing by zero. Read as
usual: under 0.1 stable, 0.1-0.25 moved, above :data:`WARN` (0.25) a population the model
did not learn from. Scores use fixed, log-spaced bins (:data:`SCORE_EDGES`) so that a file
at 1 % fraud still spreads over several bins.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

FLOOR = 1e-4
WARN = 0.25
BINS = 10
TOP_VALUES = 20
OTHER = "(other)"
MISSING = "(missing)"
SCORE_EDGES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.5, 1.0)


def psi(reference: list[float], current: list[float]) -> float:
    """The population stability index of two lists of bin shares."""
    ref = np.maximum(np.asarray(reference, dtype=float), FLOOR)
    cur = np.maximum(np.asarray(current, dtype=float), FLOOR)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


def _numeric_shares(values: pd.Series, edges: list[float]) -> list[float]:
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    present = numbers[~np.isnan(numbers)]
    inner = np.asarray(edges[1:-1], dtype=float)
    counts = np.bincount(np.searchsorted(inner, present, side="right"), minlength=len(edges) - 1)
    total = max(len(numbers), 1)
    return [*(counts / total).tolist(), float(np.isnan(numbers).sum() / total)]


def _text(values: pd.Series) -> pd.Series:
    """Values as text, numbers the same whether read as integers or floats (``5411``, not
    ``5411.0`` in a file where a missing value made the column float)."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.astype(float)
        whole = numbers.notna() & (numbers % 1 == 0)
        text = numbers.astype("string")
        text[whole] = numbers[whole].astype(np.int64).astype("string")
        return text.fillna(MISSING)
    return values.astype("string").fillna(MISSING)


def _category_shares(values: pd.Series, kept: list[str]) -> list[float]:
    text = _text(values)
    counts = text.value_counts()
    total = max(len(text), 1)
    shares = [float(counts.get(v, 0)) / total for v in kept]
    return [*shares, max(0.0, 1.0 - sum(shares))]


def column_reference(values: pd.Series) -> dict[str, Any]:
    """The training reference of one column (see the module docstring)."""
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    if numeric:
        present = values.dropna().to_numpy(dtype=float)
        if len(present) and len(np.unique(present)) > BINS:
            cuts = np.unique(np.quantile(present, np.linspace(0, 1, BINS + 1)))
            edges = [float(v) for v in cuts]
            return {"kind": "numeric", "edges": edges, "shares": _numeric_shares(values, edges)}
    text = _text(values)
    kept = [str(v) for v in text.value_counts().index[:TOP_VALUES]]
    return {"kind": "categorical", "values": kept, "shares": _category_shares(values, kept)}


def reference(frame: pd.DataFrame, columns: list[str]) -> dict[str, Any]:
    """The references of ``columns`` of the training ``frame``."""
    return {col: column_reference(frame[col]) for col in columns if col in frame.columns}


def score_shares(proba: np.ndarray) -> list[float]:
    """Shares of ``proba`` in the bins of :data:`SCORE_EDGES`."""
    inner = np.asarray(SCORE_EDGES[1:-1])
    idx = np.searchsorted(inner, np.asarray(proba, dtype=float), side="right")
    counts = np.bincount(idx, minlength=len(SCORE_EDGES) - 1)
    return [float(v) for v in counts / max(len(proba), 1)]


def column_drift(ref: dict[str, Any], values: pd.Series) -> dict[str, Any]:
    """``{psi, warning}`` of ``values`` against the column's reference ``ref``."""
    if ref.get("kind") == "numeric":
        shares = _numeric_shares(values, list(ref["edges"]))
    else:
        shares = _category_shares(values, list(ref["values"]))
    index = psi(list(ref["shares"]), shares)
    return {"psi": round(index, 4), "warning": index > WARN}


def drift(
    references: dict[str, Any],
    frame: pd.DataFrame,
    mapping: dict[str, str],
    proba: np.ndarray,
    training_scores: list[float] | None,
) -> dict[str, Any]:
    """Each mapped model input's drift (``mapping``: upload column -> model input), and
    the score distribution of ``proba`` against the training one."""
    inputs = []
    for upload_col, model_col in mapping.items():
        ref = references.get(model_col)
        if ref is None or upload_col not in frame.columns:
            continue
        found = column_drift(ref, frame[upload_col])
        inputs.append({"input": model_col, "column": upload_col, **found})
    inputs.sort(key=lambda d: -float(d["psi"]))
    scores: dict[str, Any] = {"edges": list(SCORE_EDGES), "current": score_shares(proba)}
    if training_scores is not None:
        scores["training"] = training_scores
        index = psi(training_scores, scores["current"])
        scores["psi"] = round(index, 4)
        scores["warning"] = index > WARN
    return {"warn_above": WARN, "inputs": inputs, "scores": scores}
