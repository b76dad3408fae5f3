"""The card by label horizon: what the model delivers on rows scored long after the last
label it knows (issue 41 item 1, ADR 0087).

A model's entity features read confirmed frauds (a terminal's fraud rate over past days,
:func:`~entrepot.fraud.model.behaviour.counterparty_features`). In training, and on the
card's headline, a row reads the labels of rows at least the label delay older than
itself. A file scored next month does not: its rows read the labels the scorer was given
(the training file's, a history's, the analysts'), the newest of them weeks old. The
further a row lies from the last label known, the less those features know, and the
less the model delivers.

The card therefore replays its out-of-time test period at several **label horizons**
``h`` (:data:`HORIZONS` days, the label delay first): each test row reads only the labels
of rows at least ``h`` days older than itself; no refit, only the label-reading features
are recomputed (over the rows the test period's windows reach). For each horizon: the
AUPRC, precision and recall at the model's threshold, each with a seeded bootstrap
interval over the test rows, and the test period's size (rows, frauds), from which
scoring (:mod:`entrepot.fraud.score.promise`) widens the interval to a file of its own
size.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from entrepot.fraud.model.behaviour import DAY, Sorted, by_entity_and_time
from entrepot.fraud.model.bootstrap import Ranked, drawn_counts, intervals
from entrepot.fraud.model.calibration import Calibrator
from entrepot.fraud.model.entity_features import counterparty_block_parts, entity_codes
from entrepot.fraud.model.estimator import positive_scores, scores_at
from entrepot.fraud.model.features import FeatureBuilder
from entrepot.fraud.model.label_reading import READS_LABELS
from entrepot.fraud.tables.values import entity_keys
from entrepot.fraud.train.splits import Splits

#: The label horizons replayed, in days (those under the label delay are left out, the
#: delay itself always first).
HORIZONS = (7, 10, 14, 21, 28, 42, 60)
#: The intervals' level and bootstrap resamples.
LEVEL = 0.95
RESAMPLES = 200
#: Frauds in a chunk of :func:`between_periods`, and its bootstrap resamples.
CHUNK_FRAUDS = 30
CHUNK_RESAMPLES = 60


@dataclass(frozen=True)
class Fitted:
    """What scores a featured row: the estimator, its calibrator and threshold."""

    estimator: Any
    calibrator: Calibrator
    threshold: float


def horizons_of(delay_days: int) -> tuple[int, ...]:
    """The horizons replayed for a model with this label delay."""
    return (delay_days, *(h for h in HORIZONS if h > delay_days))


def horizon_reach(
    builder: FeatureBuilder, data: pd.DataFrame, y: np.ndarray, splits: Splits
) -> Reach | None:
    """What :func:`horizon_card` reads of the table, taken before the table goes (issue 40
    item 4): the rows the test period's windows reach, or ``None`` where the card has no
    horizons or its model reads no label."""
    if not _replayed(builder, splits):
        return None
    names = builder.feature_names_
    if not (builder.uses_labels and any(READS_LABELS.fullmatch(name) for name in names)):
        return None
    seconds = builder.seconds(data)  # parsed only when labels are read
    assert seconds is not None  # a replayed card has a time column
    return _reach(builder, data, y, seconds, np.asarray(splits.test))


def _replayed(builder: FeatureBuilder, splits: Splits) -> bool:
    """Whether the card has horizons: an out-of-time test period, a time column."""
    return splits.kind == "time" and builder.spec.timestamp is not None and bool(len(splits.test))


def horizon_card(
    builder: FeatureBuilder,
    reach: Reach | None,
    y: np.ndarray,
    splits: Splits,
    x_test: np.ndarray,
    names: list[str],
    fitted: Fitted,
    seed: int = 0,
) -> dict[str, Any] | None:
    """The card's figures by label horizon, or ``None`` where there is none to replay (no
    out-of-time test period, no time column); ``reach``: :func:`horizon_reach`'s. ``x_test``'s
    label-reading columns change while it runs; they hold their values again when it
    returns or raises."""
    if not _replayed(builder, splits):
        return None
    test = np.asarray(splits.test)
    reading = [j for j, name in enumerate(names) if READS_LABELS.fullmatch(name)]
    y_test = np.asarray(y[test], dtype=int)
    ranked = []
    reads = reach is not None
    # The label-reading columns are replaced in ``x_test`` itself at each horizon and put
    # back after: a copy of the test rows per horizon was the training's peak.
    kept = x_test[:, reading].copy() if reach is not None else None
    columns = [names[j] for j in reading]
    # the reached rows sorted once for every horizon (a horizon moves the windows alone)
    orders = [] if reach is None else [by_entity_and_time(c, reach.seconds) for c in reach.codes]
    raw: np.ndarray | None = None
    try:
        for h in horizons_of(builder.label_delay_days):
            if reach is not None:
                made = _label_features_at(builder, reach, h, columns, orders)
                moved = _moved_rows(x_test[:, reading], made)
                x_test[:, reading] = made
                del made
                if raw is not None:  # the rows whose features moved scored again alone
                    raw[moved] = scores_at(fitted.estimator, x_test, moved)
            if raw is None:
                raw = positive_scores(fitted.estimator, x_test)
            proba = fitted.calibrator(raw)
            ranked.append(Ranked(y_test, proba, fitted.threshold))
    finally:
        if kept is not None:
            x_test[:, reading] = kept
    found = intervals(ranked, len(test), RESAMPLES, LEVEL, seed)
    days = horizons_of(builder.label_delay_days)
    figures = [{"days": h, **f} for h, f in zip(days, found, strict=True)]
    return {
        "level": LEVEL,
        "delay_days": builder.label_delay_days,
        "rows": len(test),
        "frauds": int(y_test.sum()),
        "reads_labels": reads,
        "figures": figures,
    }


def _moved_rows(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """The rows whose features differ in any bit from one horizon to the next: the others
    score the same (a row's score reads that row alone), so they are not scored again."""
    same = before.view(np.int64) == after.view(np.int64)
    return np.flatnonzero(~same.all(axis=1))


@dataclass(frozen=True)
class Reach:
    """The rows the test period's windows reach at the longest horizon, their instants,
    labels (0 or 1, as ``int8``) and each counterparty column's entity codes (as ``int32``
    where they fit: held through the search, they are widened where read); ``test``: the
    test rows' places among them."""

    seconds: np.ndarray
    flags: np.ndarray
    narrow_codes: tuple[np.ndarray, ...]
    test: np.ndarray

    @property
    def labels(self) -> np.ndarray:
        """The labels as floats, as the fraud rates read them."""
        return np.asarray(self.flags, dtype=float)

    @property
    def codes(self) -> tuple[np.ndarray, ...]:
        """Each counterparty column's entity codes as ``int64``."""
        return tuple(np.asarray(c, dtype=np.int64) for c in self.narrow_codes)


def _reach(
    builder: FeatureBuilder,
    data: pd.DataFrame,
    y: np.ndarray,
    seconds: np.ndarray,
    test: np.ndarray,
) -> Reach:
    longest = max(builder.label_delay_days, *horizons_of(builder.label_delay_days))
    reach = (max(builder.windows) + longest + 1) * DAY
    valid = seconds != np.iinfo(np.int64).min
    start = seconds[test][valid[test]].min() - reach if valid[test].any() else 0
    reached = valid & (seconds >= start)  # and the test rows: sorted, each once
    reached[test] = True
    rows = np.flatnonzero(reached)
    del reached
    # each counterparty column's reached rows alone, not a copy of every column of them
    codes = tuple(
        _narrow(entity_codes(entity_keys(data[col].iloc[rows])))
        for col in builder.spec.counterparties
    )
    flags = np.asarray(y[rows], dtype=np.int8)
    return Reach(seconds[rows], flags, codes, np.searchsorted(rows, test))


def _narrow(codes: np.ndarray) -> np.ndarray:
    """``codes`` as ``int32`` where every code fits (the same values)."""
    fits = not len(codes) or int(codes.max()) < np.iinfo(np.int32).max
    return codes.astype(np.int32) if fits else codes


def _label_features_at(
    builder: FeatureBuilder, reach: Reach, horizon: int, columns: list[str], orders: list[Sorted]
) -> np.ndarray:
    """The test rows' label-reading features (``columns``) when each reads the labels
    ``horizon`` days old, computed over the rows the test period's windows reach (all labels
    known, each row's own and the newer ones out of its reach): the counterparties' risk
    features alone, as
    :func:`~entrepot.fraud.model.entity_features.counterparty_block_parts` makes them;
    ``orders``: each counterparty column's reached rows sorted (made once)."""
    later = copy.copy(builder)
    later.label_horizon_days = horizon
    made: dict[str, np.ndarray] = {}
    labels = reach.labels
    for i, (codes, ordered) in enumerate(zip(reach.codes, orders, strict=True)):
        made.update(  # the test rows' fraud rates alone
            counterparty_block_parts(
                later,
                codes,
                reach.seconds,
                labels,
                f"counterparty{i}",
                counts=False,
                at=reach.test,
                ordered=ordered,
            )
        )
    return np.column_stack([made[name] for name in columns])


def between_periods(
    y: np.ndarray, proba: np.ndarray, when: np.ndarray, threshold: float, seed: int = 0
) -> dict[str, float | int]:
    """How much each figure moves from one period to the next beyond what its sampling
    explains: the out-of-time rows (``when``: their time) cut into consecutive chunks of
    about :data:`CHUNK_FRAUDS` frauds (2 to 8 chunks), each figure's variance over the
    chunks less the chunks' mean bootstrap variance (a random-effects estimate, never
    negative), as a standard deviation. A file scored later is one more period: this
    spread does not shrink with its size."""
    order = np.argsort(np.nan_to_num(when, nan=np.inf), kind="stable")
    y, proba = np.asarray(y, dtype=int)[order], np.asarray(proba, dtype=float)[order]
    k = int(min(8, int(y.sum()) // CHUNK_FRAUDS))
    out: dict[str, float | int] = {"chunks": k}
    if k < 2:
        return {**out, **dict.fromkeys(("auprc", "precision", "recall"), 0.0)}
    rng = np.random.default_rng(seed)
    values, noise = [], []
    for chunk in np.array_split(np.arange(len(y)), k):
        ranked = Ranked(y[chunk], proba[chunk], threshold)
        values.append(ranked.figures(np.ones(len(chunk))))
        drawn = []
        for _ in range(CHUNK_RESAMPLES):
            drawn.append(ranked.figures(drawn_counts(rng, len(chunk))))
        noise.append(_finite_var(np.asarray(drawn, dtype=float)))
    seen = np.asarray(values, dtype=float)
    for i, name in enumerate(("auprc", "precision", "recall")):
        column = seen[:, i][np.isfinite(seen[:, i])]
        spread = float(np.var(column, ddof=1)) if len(column) > 1 else 0.0
        within = np.asarray(noise)[:, i]
        within = within[np.isfinite(within)]
        mean_within = float(within.mean()) if len(within) else 0.0
        out[name] = round(math.sqrt(max(0.0, spread - mean_within)), 6)
    return out


def observed_period(out_of_time: np.ndarray, test: np.ndarray) -> dict[str, float] | None:
    """The out-of-time period the card observed, from its rows' instants in seconds
    (``out_of_time``: validation and test; ``test``: the test rows): ``days``, the span
    over which :func:`between_periods` saw the figures move, and ``test_center``, the
    middle of the test period the card's figures speak of. A file scored later lies
    beyond both (``entrepot.fraud.score.promise``, ADR 0096); ``None`` without times."""
    seen = np.asarray(out_of_time, dtype=float)
    seen = seen[np.isfinite(seen)]
    tested = np.asarray(test, dtype=float)
    tested = tested[np.isfinite(tested)]
    if not len(seen) or not len(tested):
        return None
    return {
        "days": round(max(float(seen.max() - seen.min()) / DAY, 1.0), 4),
        "test_center": round((float(tested.min()) + float(tested.max())) / 2, 1),
    }


def _finite_var(drawn: np.ndarray) -> np.ndarray:
    """Each column's variance over its finite values (NaN with fewer than two)."""
    out = np.full(drawn.shape[1], np.nan)
    for i in range(drawn.shape[1]):
        column = drawn[:, i][np.isfinite(drawn[:, i])]
        if len(column) > 1:
            out[i] = float(np.var(column))
    return out
