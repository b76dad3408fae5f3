"""A counterparty's recent amounts against its customers' habits, without labels.

A skimmed terminal (or a compromised merchant) shows no fraud label for days, but its
recent transactions run above what the same customers usually spend. Each row gets a
residual, the log amount minus its customer's mean log amount over the longest window
(the current row included, as the customer features count it); a counterparty's shift
over a window is the mean residual of its rows in that window, and its evidence the sum
of those residuals over the square root of their number (the shift in standard units,
if residuals have unit spread), which grows as a drift persists. Only rows at or before
a row's instant count (rows at the same instant in input order), as for the other
behaviour features; nothing reads a label.
"""

from __future__ import annotations

import numpy as np

from entrepot.fraud.model.behaviour import DAY, sorted_entity_rows


def _window_sums(
    codes: np.ndarray, seconds: np.ndarray, values: np.ndarray, windows: tuple[int, ...]
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Per window: the sum and the number of the finite ``values`` of the same entity
    over the window ending at each row (the row included). Rows without an entity or a
    time get a count of 0."""
    n = len(codes)
    rows, t, span = sorted_entity_rows(codes, seconds)
    key = codes[rows] * (span + max(windows) * DAY + 1) + t
    v = values[rows]
    finite = np.isfinite(v)
    csum = np.concatenate(([0.0], np.cumsum(np.where(finite, v, 0.0))))
    ccount = np.concatenate(([0.0], np.cumsum(finite)))
    pos = np.arange(len(rows)) + 1
    out = {}
    for w in windows:
        left = np.searchsorted(key, key - w * DAY, side="right")
        total, count = np.zeros(n), np.zeros(n)
        total[rows] = csum[pos] - csum[left]
        count[rows] = ccount[pos] - ccount[left]
        out[w] = (total, count)
    return out


def amount_shift_features(
    counterparty: np.ndarray,
    customer: np.ndarray,
    seconds: np.ndarray,
    amount: np.ndarray,
    windows: tuple[int, ...],
    prefix: str,
) -> dict[str, np.ndarray]:
    """``{prefix}_amount_shift_{w}d`` and ``{prefix}_amount_evidence_{w}d`` per window.

    ``counterparty`` and ``customer`` are int entity codes (-1 for missing), ``seconds``
    int64 epoch seconds (int64 min for missing), ``amount`` floats (NaN for missing). The
    outputs are float64 aligned with the inputs, NaN where the counterparty or the time
    is missing or no residual is known in the window.
    """
    log_amount = np.log1p(np.clip(amount.astype(float), 0, None))
    longest = max(windows)
    total, count = _window_sums(customer, seconds, log_amount, (longest,))[longest]
    with np.errstate(invalid="ignore", divide="ignore"):
        residual = np.where(count > 0, log_amount - total / np.maximum(count, 1), np.nan)
    out: dict[str, np.ndarray] = {}
    for w, (total, count) in _window_sums(counterparty, seconds, residual, windows).items():
        known = count > 0
        safe = np.maximum(count, 1)
        out[f"{prefix}_amount_shift_{w}d"] = np.where(known, total / safe, np.nan)
        out[f"{prefix}_amount_evidence_{w}d"] = np.where(known, total / np.sqrt(safe), np.nan)
    return out
