"""The file-fitted member: a label-free score fitted on the scored file itself, which every
fitted ensemble pools with its references (issue 41 item 4, ADR 0085).

A reference model reads a file through a mapping and a population it was trained on; on a
file unlike its data it may rank the frauds below what an analyst gets by sorting on the
amount. The file member needs neither: it reads the file's own columns, found by the
schema analysis (``entrepot.fraud.schema.analysis``), and scores each row by three
label-free facts, each turned into a normal score (the standard normal quantile of the
row's mid-rank, so that each weighs alike whatever its units):

* **amount**: the amount itself, the ranking a fraud analyst tries first;
* **the entity's own habits**: how far the row's log-amount lies above what its own
  customer (or card, account) spent on its *earlier* rows in the file, in standard
  deviations, each entity's mean and spread shrunk towards the file-wide ones by
  :data:`PRIOR_ROWS` pseudo-rows (a first row falls back to the file-wide law);
* **isolation**: a seeded ``IsolationForest`` on the file's own numeric inputs (the
  log-amount, the entity deviation, the entity's row count in the file, the numeric
  columns), how easily the row is set apart from the others.

The member's score is the weighted mean of the normal scores, the amount's weighing as
much as the other two together (:data:`AMOUNT_SHARE`: the member starts from the
analyst's own floor and lets the entity's habits and the isolation move a row from
there), ranked again into ``(0, 1)`` (:attr:`FileScores.score`); a fact the file cannot
give (no entity) is left out. With no amount column the numeric column of largest spread
stands in for it. The same file always gives the same scores (:data:`SEED`).

A labelled history (``--history``) does not feed it: the member reads the scored file
alone, and the history only weighs it (``entrepot.fraud.score.measured``). An entity's
earlier rows in a history include its earlier frauds (a compromised card's ×5 amounts),
which raise its mean and spread until its next frauds look ordinary: on the handbook's
weeks the entity deviation fell from 0.21 to 0.14 AUPRC with the 15,000 rows before as
earlier rows (``docs/benchmarks.md``, ADR 0085).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm, rankdata
from sklearn.ensemble import IsolationForest

from entrepot.fraud.match.description import Upload
from entrepot.fraud.tables.timeparse import parse_times

#: Pseudo-rows of the file-wide law each entity's mean and spread are shrunk towards.
PRIOR_ROWS = 3
#: The isolation forest's seed, trees and rows per tree (scikit-learn's defaults).
SEED, TREES, SAMPLES = 0, 100, 256
#: The amount's share of the member's score; the entity deviation and the isolation share
#: the rest equally.
AMOUNT_SHARE = 0.5
#: At most this many numeric columns feed the isolation forest, in table order.
MAX_NUMERIC = 16


@dataclass(frozen=True)
class FileColumns:
    """The columns the file member reads: amount, entity, time and other numbers."""

    amount: str | None
    entity: str | None
    time: str | None
    numeric: tuple[str, ...]


@dataclass(frozen=True)
class FileScores:
    """Each fact's normal score per row (``None`` when the file cannot give it) and the
    member's score in ``[0, 1]``."""

    columns: FileColumns
    amount: np.ndarray | None
    entity: np.ndarray | None
    isolation: np.ndarray
    score: np.ndarray


def file_columns(upload: Upload) -> FileColumns:
    """The amount, entity, time and numeric columns the analysis of ``upload`` found; a
    customer entity first, then any; without an amount, the numeric column of largest
    spread is left to :func:`file_scores`."""
    analysis = upload.analysis
    entities = analysis.entities("customer") or analysis.with_role("entity")
    numeric = analysis.with_role("numeric") + analysis.with_role("amount")
    return FileColumns(
        amount=analysis.amount,
        entity=entities[0] if entities else None,
        time=analysis.timestamp,
        numeric=tuple(numeric[:MAX_NUMERIC]),
    )


def normal_scores(values: np.ndarray) -> np.ndarray:
    """The standard normal quantile of each value's mid-rank (ties share one); NaN ranks
    lowest."""
    x = np.asarray(values, dtype=float)
    x = np.where(np.isfinite(x), x, -np.inf)
    ranks = rankdata(x, method="average")
    out: np.ndarray = norm.ppf(ranks / (len(x) + 1))
    return out


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    return np.asarray(pd.to_numeric(frame[column], errors="coerce"), dtype=float)


def _signed_log(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.sign(x) * np.log1p(np.abs(x))
    return out


def _order(frame: pd.DataFrame, upload: Upload, time: str | None) -> np.ndarray:
    """The rows in time order (file order among equal or unreadable times)."""
    if time is None:
        return np.arange(len(frame))
    fmt = upload.time_format(time)
    try:
        stamps = parse_times(frame[time], fmt) if fmt else pd.to_datetime(frame[time])
    except (ValueError, TypeError):
        return np.arange(len(frame))
    times = pd.Series(pd.to_datetime(pd.Series(stamps), errors="coerce"))
    keys = times.to_numpy(dtype="datetime64[ns]").astype("int64").astype(float)
    keys[times.isna().to_numpy()] = np.inf
    return np.argsort(keys, kind="stable")


def entity_deviation(
    log_amount: np.ndarray, entity: pd.Series, order: np.ndarray, prior_rows: int = PRIOR_ROWS
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's log-amount in standard deviations above its entity's earlier rows
    (``order``: the rows in time order), the entity's mean and variance shrunk towards the
    file-wide median and squared MAD by ``prior_rows`` pseudo-rows; and each entity's
    row count in the file, per row."""
    x = np.asarray(log_amount, dtype=float)
    finite = np.isfinite(x)
    centre = float(np.median(x[finite])) if finite.any() else 0.0
    mad = float(np.median(np.abs(x[finite] - centre))) * 1.4826 if finite.any() else 0.0
    spread = mad if mad > 0 else float(np.std(x[finite])) if finite.any() else 1.0
    spread = spread if spread > 0 else 1.0
    xs = np.where(finite, x, centre)[order]
    codes = pd.factorize(entity.to_numpy()[order], use_na_sentinel=True)[0]
    codes = np.where(codes < 0, np.arange(len(codes)) + codes.max() + 1, codes)  # NaN: alone
    frame = pd.DataFrame({"e": codes, "x": xs, "x2": xs * xs})
    grouped = frame.groupby("e", sort=False)
    n = grouped.cumcount().to_numpy(dtype=float)  # earlier rows of the entity
    s = grouped["x"].cumsum().to_numpy() - xs
    s2 = grouped["x2"].cumsum().to_numpy() - xs * xs
    k = float(prior_rows)
    mean = (s + k * centre) / (n + k)
    own = np.maximum(s2 - 2 * mean * s + n * mean * mean, 0.0)  # Σ (x - mean)² over earlier
    var = (own + k * spread * spread) / (n + k)
    z = (xs - mean) / np.sqrt(var)
    count = grouped["x"].transform("size").to_numpy(dtype=float)
    out, counts = np.empty(len(x)), np.empty(len(x))
    out[order], counts[order] = z, count
    return out, counts


def file_score(frame: pd.DataFrame, upload: Upload) -> np.ndarray:
    """The file member's score of each row of ``frame``, in ``(0, 1)``."""
    return file_scores(frame, upload).score


def file_scores(frame: pd.DataFrame, upload: Upload, *, seed: int = SEED) -> FileScores:
    """The file member's scores on ``frame`` (module docstring); no label is read."""
    columns = file_columns(upload)
    numeric = {c: _numbers(frame, c) for c in columns.numeric if c in frame}
    amount_col = columns.amount
    if amount_col is None and numeric:
        amount_col = max(numeric, key=lambda c: float(np.nanstd(numeric[c]) or 0.0))
    features: list[np.ndarray] = []
    amount = entity = None
    if amount_col is not None:
        raw = numeric.get(amount_col, _numbers(frame, amount_col))
        log_amount = _signed_log(raw)
        amount = normal_scores(raw)
        features.append(log_amount)
        if columns.entity is not None:
            order = _order(frame, upload, columns.time)
            deviation, count = entity_deviation(log_amount, frame[columns.entity], order)
            entity = normal_scores(deviation)
            features += [deviation, np.log1p(count)]
    features += [_signed_log(v) for c, v in numeric.items() if c != amount_col]
    isolation = _isolation(features, len(frame), seed)
    others = [f for f in (entity, isolation) if f is not None]
    mean = np.mean(others, axis=0)
    if amount is not None:
        mean = AMOUNT_SHARE * amount + (1 - AMOUNT_SHARE) * mean
    score = (rankdata(mean, method="average") - 0.5) / max(len(mean), 1)
    return FileScores(columns, amount, entity, isolation, np.asarray(score, dtype=float))


def _isolation(features: list[np.ndarray], rows: int, seed: int) -> np.ndarray:
    """The normal score of each row's isolation (a seeded ``IsolationForest`` on
    ``features``, NaN filled with each one's median); 0 everywhere without a feature."""
    if not features or rows < 2:
        return np.zeros(rows)
    x = np.column_stack(features).astype(float)
    x[~np.isfinite(x)] = np.nan
    for j in range(x.shape[1]):
        known = ~np.isnan(x[:, j])
        x[~known, j] = float(np.median(x[known, j])) if known.any() else 0.0
    forest = IsolationForest(n_estimators=TREES, max_samples=min(SAMPLES, rows), random_state=seed)
    forest.fit(x)
    return normal_scores(-forest.score_samples(x))
