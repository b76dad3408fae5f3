"""Per-entity behaviour over past time windows, computed strictly from the past.

For a customer: how many transactions and what mean amount over the last 1, 7 and 30
days (the current transaction included: it is known when it is scored), the time since
the previous one, and the amount relative to the 30-day mean. For a counterparty
(terminal, merchant, beneficiary): its number of transactions over the windows, and
its fraud rate over the same windows shifted back by the label delay, because whether a
transaction was fraud is learnt only days later. Rows at the same instant count in
input order. Rows later in time never change a row's features.

All windows are found with binary search on one sorted key (entity, time): O(n log n),
no Python loop over rows. Every sum reads one entity's rows alone, so a row's features are
the same bits in the whole file and in any part that holds its entity's whole history.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pandas as pd

DAY = 86_400


#: Rows with an entity and a time sorted by (entity, time, position), their times from
#: the earliest, and the times' span: what every window search of those rows reads.
Sorted = tuple[np.ndarray, np.ndarray, int]


def by_entity_and_time(codes: np.ndarray, seconds: np.ndarray) -> Sorted:
    """Rows with an entity and a time, sorted by (entity, time, position), and the key
    span: made once where the same rows are searched several times (the card's label
    horizons pass it to :func:`counterparty_parts` as ``ordered``)."""
    rows = np.flatnonzero((codes >= 0) & (seconds != np.iinfo(np.int64).min))
    if rows.size == 0:
        return rows, rows.astype(np.int64), 1
    t = seconds[rows] - seconds[rows].min()
    order = np.lexsort((rows, t, codes[rows]))
    return rows[order], t[order], int(t.max())


def customer_features(
    codes: np.ndarray,
    seconds: np.ndarray,
    amount: np.ndarray | None,
    windows: tuple[int, ...],
    prefix: str,
) -> dict[str, np.ndarray]:
    """Counts, mean amounts, time since previous and amount ratio per row.

    ``codes`` are int entity codes (-1 for missing), ``seconds`` int64 epoch seconds
    (int64 min for missing); the outputs are float64 aligned with the inputs, NaN where
    the entity or the time is missing.
    """
    return dict(customer_parts(codes, seconds, amount, windows, prefix))


def customer_parts(
    codes: np.ndarray,
    seconds: np.ndarray,
    amount: np.ndarray | None,
    windows: tuple[int, ...],
    prefix: str,
) -> Iterator[tuple[str, np.ndarray]]:
    """:func:`customer_features` one feature at a time, each given as soon as it is made
    (a training copies it into its matrix and lets it go before the next is made)."""
    n = len(codes)
    rows, t, span = by_entity_and_time(codes, seconds)
    big = span + max(windows) * DAY + 1
    key = codes[rows] * big + t
    del t  # a row's gap to its entity's last row is its key's: the same whole seconds
    amounts = np.zeros(len(rows)) if amount is None else amount[rows]
    known = ~np.isnan(amounts)
    np.nan_to_num(amounts, copy=False)
    first = _first_of_entity(codes[rows])
    csum = _running_sums(amounts, first)
    del amounts
    # the running count of known amounts, whole numbers summed as floats: exact
    ccount = np.zeros(len(rows) + 1)
    np.cumsum(known, out=ccount[1:])
    del known
    pos = np.arange(len(rows))
    longest: np.ndarray | None = None
    for w in windows:
        left = np.searchsorted(key, key - w * DAY, side="right")
        yield f"{prefix}_count_{w}d", _scatter(n, rows, (pos - left + 1).astype(float))
        if amount is not None:
            # in place, one array a step: the sum before the window, then the window's
            # sum, then its mean (NaN where no amount is known)
            mean = left - 1
            np.maximum(mean, 0, out=mean)
            mean = csum[mean]
            mean[left <= first] = 0.0
            np.subtract(csum, mean, out=mean)
            known = ccount[left]
            np.subtract(ccount[1:], known, out=known)  # ccount[pos + 1]: pos is 0, 1, ...
            _divide_in_place(mean, known)
            del known
            scattered = _scatter(n, rows, mean)
            del mean
            if w == max(windows):
                longest = scattered
            yield f"{prefix}_mean_amount_{w}d", scattered
            del scattered
        del left  # not held while the next window's is made
    del csum, ccount
    same = first != pos  # a row after its entity's first: the row before is the entity's
    del first, pos
    gap = np.full(len(rows), np.nan)
    gap[same] = np.diff(key)[same[1:]]
    del key, same
    yield f"{prefix}_seconds_since_previous", _scatter(n, rows, gap)
    del gap
    if amount is not None and longest is not None:
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = amount / longest
        name = f"{prefix}_amount_ratio_{max(windows)}d"
        yield name, np.where(np.isfinite(ratio), ratio, np.nan)


def counterparty_features(
    codes: np.ndarray,
    seconds: np.ndarray,
    labels: np.ndarray | None,
    windows: tuple[int, ...],
    delay_days: int,
    prefix: str,
    horizon_days: float | None = None,
) -> dict[str, np.ndarray]:
    """Counts over the windows, and the fraud rate over the windows ``delay_days`` back.

    ``labels`` are 1.0 / 0.0 / NaN (not known yet); without labels only counts are made.
    ``horizon_days``: each row reads only the labels of rows at least this long before
    it (a file scored that long after the last label its scorer knows); ``None``: the
    delay (labels arrive as soon as they are known).
    """
    return dict(
        counterparty_parts(codes, seconds, labels, windows, delay_days, prefix, horizon_days)
    )


def counterparty_parts(
    codes: np.ndarray,
    seconds: np.ndarray,
    labels: np.ndarray | None,
    windows: tuple[int, ...],
    delay_days: int,
    prefix: str,
    horizon_days: float | None = None,
    *,
    counts: bool = True,
    at: np.ndarray | None = None,
    ordered: Sorted | None = None,
) -> Iterator[tuple[str, np.ndarray]]:
    """:func:`counterparty_features` one feature at a time, each given as soon as it is
    made and its intermediates let go of (a training copies it into its matrix before the
    next is made); ``counts=False``: the fraud rates alone (the features that read labels,
    all a replay at another label horizon changes). ``at``: the features of the rows at
    these positions alone, in this order (each reads every row's history all the same:
    the same bits as the whole's at those rows, for the windows' searches of those rows
    alone). ``ordered``: :func:`by_entity_and_time` of these ``codes`` and ``seconds``,
    where it was made already."""
    known_from = delay_days if horizon_days is None else max(delay_days, horizon_days)
    rows, t, span = by_entity_and_time(codes, seconds) if ordered is None else ordered
    big = span + math.ceil(max(windows) + known_from) * DAY + 1
    key = codes[rows] * big + t
    del t
    if at is None:  # every row: each sorted row asks
        n, asking, pos, probe = len(codes), rows, np.arange(len(rows)), key
    else:  # the rows asked for, by their places among the sorted rows
        place = np.full(len(codes), -1, dtype=np.int64)
        place[rows] = np.arange(len(rows))
        wanted = place[np.asarray(at, dtype=np.int64)]
        del place
        n, asking = len(wanted), np.flatnonzero(wanted >= 0)
        pos = wanted[asking]
        # asked in key order: each search then starts where the previous one ended (the
        # same places found, in a tenth of the time the rows' own order costs)
        by_key = np.argsort(pos, kind="stable")
        asking, pos = asking[by_key], pos[by_key]
        del by_key
        probe = key[pos]
    if counts:
        for w in windows:
            left = np.searchsorted(key, probe - w * DAY, side="right")
            np.subtract(pos, left, out=left)
            left += 1
            made = _scatter(n, asking, left.astype(float))
            del left
            yield f"{prefix}_count_{w}d", made
    del pos
    if labels is None:
        return
    y = labels[rows]
    known = np.concatenate(([0.0], np.cumsum(~np.isnan(y))))
    frauds = np.concatenate(([0.0], np.cumsum(np.nan_to_num(y))))
    del y
    end = np.searchsorted(key, probe - int(known_from * DAY), side="right")
    known_end, frauds_end = known[end], frauds[end]
    del end
    for w in windows:
        start = np.searchsorted(key, probe - (delay_days + w) * DAY, side="right")
        seen = known[start]
        np.subtract(known_end, seen, out=seen)
        rate = frauds[start]  # the frauds caught, then the rate, in place
        del start
        np.subtract(frauds_end, rate, out=rate)
        _divide_in_place(rate, seen)
        del seen
        made = _scatter(n, asking, rate)
        del rate
        yield f"{prefix}_risk_{w}d", made


def _divide_in_place(numerator: np.ndarray, denominator: np.ndarray) -> None:
    """``numerator / denominator`` written over ``numerator``, NaN where the denominator
    is not positive (a window with nothing known)."""
    some = denominator > 0
    np.divide(numerator, denominator, out=numerator, where=some)
    numerator[~some] = np.nan


def _first_of_entity(sorted_codes: np.ndarray) -> np.ndarray:
    """For each row sorted by entity, the position of its entity's first row."""
    first = np.arange(len(sorted_codes))
    first[1:][sorted_codes[1:] == sorted_codes[:-1]] = 0  # a row after its entity's first
    np.maximum.accumulate(first, out=first)
    return first


def _running_sums(values: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Each entity's own running sum of ``values`` (rows sorted by entity), started afresh
    at its first row: a row's sums read its entity's amounts alone, so the features are the
    same bits whether the file is scored whole or cut by entity (issue 40, item 3), where
    one running sum over the whole file rounds each entity by the amounts before it."""
    if len(values) == 0:
        return values.astype(float)
    summed: np.ndarray = (
        pd.Series(values, dtype=float).groupby(first, sort=False).cumsum().to_numpy()
    )
    return summed


def _scatter(n: int, rows: np.ndarray, values: np.ndarray) -> np.ndarray:
    out = np.full(n, np.nan)
    out[rows] = values
    return out
