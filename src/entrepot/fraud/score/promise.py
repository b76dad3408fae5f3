"""What the card promises of a scored file, from the labels the scoring actually has
(issue 41 item 1, ADR 0087).

Each scored row's **label horizon** is how long before it the newest label it can read
lies: the labels known are the training file's (the model's remembered tail), a labelled
history's and those confirmed on the scored rows; a row at ``t`` reads those at least the
label delay older than itself, so its horizon is ``t - L(t)`` with ``L(t)`` the newest
label time at or before ``t - delay`` (no such label: beyond every horizon).

The card replayed its test period at horizons ``h_1 < … < h_k``
(:mod:`entrepot.fraud.train.horizons`). A row between two of them counts under both,
linearly in days (a row 7.01 days from its newest label is a 7-day row; the replay's own
rows lie the same few minutes past their horizon); rows beyond the last are counted apart
(``beyond``) and under the last figure, which the trust then says does not cover them.
The file's promise is the average of the horizons' figures weighted by the expected
frauds (the sum of the probabilities) each holds, since AUPRC and recall average over
frauds (precision, over flagged rows, only roughly).

The interval adds two spreads: the test period's (the bootstrap half-widths, averaged
with the same weights) and the scored file's own sampling, which for a file of ``F``
expected frauds against the test period's ``F_test`` is about the test's times
``sqrt(F_test / F)`` (a figure averaged over frauds has a variance in ``1 / F``); and the
moves from one period to the next that the out-of-time rows showed beyond their sampling
(``between``, :func:`~entrepot.fraud.train.horizons.between_periods`), which a file,
one more period, does not average away. The half-widths add in quadrature.

**A file of few frauds.** The ``sqrt(F_test / F)`` scaling holds while ``F`` is large; a
week of 3 frauds is another matter (its AUPRC is a mean of three precisions, each of which
can be anything). AUPRC and recall are means over the file's frauds of values in [0, 1],
so whatever their distribution their standard deviation is at most ``sqrt(c (1 - c) /
F)`` for a mean ``c`` (the Bhatia-Davis inequality): the file's sampling term is never
narrower than that bound, at the card's level (no constant fitted; it binds only where a
file holds a few dozen frauds or fewer).

**A file later than the card saw** (ADR 0096). The chunks see the figures move only over
the out-of-time period the card observed (``observed``: its ``days``, validation and
test, a week or two on a month of training). A file scored weeks after it lies beyond
what they could see: fraud itself moves (new compromises, other habits) and a fixed model
knows less of it the older it gets. Nothing measured says how fast; what the card can
say is how small a move it could *not* have told from sampling: its own test half-width.
A move that size over each span of ``days`` went unseen; as a random walk, over the
file's fraud-weighted mean distance ``e`` from the test period's middle it adds a
half-width ``below × sqrt(e / days)`` (``below``: the test period's half-width under the
figure) in quadrature to the **lower** side only: a fixed model's figures on later data
fall far more often than they rise (it learnt the training period's frauds, and ageing
takes them away), so the promise widens towards what ageing does and keeps its upper
side. A file within the test period (``e`` near 0) is promised as before.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from entrepot.column_on_disk import ColumnOnDisk
from entrepot.fraud.model.behaviour import DAY
from entrepot.fraud.model.bootstrap import FIGURES
from entrepot.fraud.score.file_instants import file_instants
from entrepot.fraud.score.promise_rows import MISSING, SLICE_ROWS, Sliced, counted
from entrepot.fraud.score.row_slices import sliced_sum

#: The figures that average over the frauds (each fraud's recall or precision at its rank).
OVER_FRAUDS = frozenset({"auprc", "recall"})

if TYPE_CHECKING:
    from entrepot.fraud.match.description import Upload
    from entrepot.fraud.model.saved import FraudModel
    from entrepot.fraud.score.ensemble import Ensemble
    from entrepot.fraud.score.known_labels import KnownLabels
    from entrepot.fraud.tables.sliced import SlicedTable


def label_times(
    model: FraudModel,
    frame: pd.DataFrame,
    known: KnownLabels | None,
    tail: bool = True,
) -> tuple[np.ndarray | None, np.ndarray]:
    """The scored rows' instants in seconds (``None`` if the model reads no time) and the
    sorted instants of every label known to the scoring; ``frame`` holds the model's own
    column names; ``tail``: the model reads its training tail (same customers)."""
    seconds = model.features.seconds(frame)
    if seconds is None:
        return None, np.zeros(0, dtype=np.int64)
    return seconds, labels_known(model, known, seconds, tail)


def labels_known(
    model: FraudModel, known: KnownLabels | None, seconds: np.ndarray | None, tail: bool
) -> np.ndarray:
    """The sorted instants of every label known to a scoring of rows at ``seconds``: the
    model's training tail's (``tail``), a labelled history's and the rows' own (the rows'
    instants are read for those alone: ``None`` where ``known`` gives none)."""
    builder = model.features
    found: list[np.ndarray] = []
    history = getattr(builder, "history_", None) if tail else None
    if history is not None and "__label" in history:
        labelled = np.isfinite(history["__label"].to_numpy(dtype=float))
        found.append(history["__seconds"].to_numpy(dtype=np.int64)[labelled])
    if known is not None and known.history is not None and known.history_labels is not None:
        past = builder.seconds(known.history)
        if past is not None:
            found.append(past[np.isfinite(np.asarray(known.history_labels, dtype=float))])
    if known is not None and known.rows is not None:
        if seconds is None:
            raise ValueError("the rows' own labels are known, not their instants")
        found.append(seconds[np.isfinite(np.asarray(known.rows, dtype=float))])
    times = np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
    return np.sort(times[times != MISSING])


def row_horizons(seconds: np.ndarray, labels: np.ndarray, delay_days: float) -> np.ndarray:
    """Each row's label horizon in days (``inf``: no label it can read, nor a time), found
    :data:`SLICE_ROWS` rows at a time: the temporaries a slice's, not the file's (five
    arrays of the file's rows: 200 MB at 5M rows, the peak of a scoring's last steps)."""
    lazy = RowHorizons(seconds, labels, delay_days)
    found = np.empty(len(lazy))
    for start in range(0, len(lazy), SLICE_ROWS):
        some = lazy[start : start + SLICE_ROWS]
        found[start : start + len(some)] = some
    return found


class RowHorizons:
    """The rows' label horizons in days (:func:`row_horizons`), found for the slice asked
    alone: what counts them a slice at a time (``promise_rows.counted``) never holds
    the file's (8 bytes a row: 160 MB at 20M rows, the peak of a scoring's last steps)."""

    def __init__(self, seconds: Sliced, labels: np.ndarray, delay_days: float) -> None:
        self._seconds = seconds
        self._labels = labels
        self._delay = delay_days

    def __len__(self) -> int:
        return len(self._seconds)

    def __getitem__(self, rows: slice) -> np.ndarray:
        return _horizons(self._seconds[rows], self._labels, self._delay)


def _horizons(seconds: np.ndarray, labels: np.ndarray, delay_days: float) -> np.ndarray:
    reach = seconds - int(delay_days * DAY)
    at = np.searchsorted(labels, reach, side="right") - 1
    newest = labels[np.clip(at, 0, max(len(labels) - 1, 0))] if len(labels) else reach
    days = (seconds - newest) / DAY
    return np.where((at < 0) | (seconds == MISSING), np.inf, days)


def promised(
    card: Mapping[str, Any],
    horizons: np.ndarray | RowHorizons,
    proba: Sliced,
    seconds: Sliced | None = None,
) -> dict[str, Any]:
    """The card's promise for a file whose rows have these ``horizons`` (days),
    probabilities (an array, or read a slice at a time) and instants (``seconds``, for the
    time elapsed since the card's test period; see the module's docstring); the rows are
    counted a slice at a time (:mod:`~entrepot.fraud.score.promise_rows`)."""
    figures = list(card["figures"])
    days = np.asarray([f["days"] for f in figures], dtype=float)
    expected = sliced_sum(proba)
    if not isinstance(horizons, RowHorizons):
        horizons = np.asarray(horizons)
    rows = counted(card, days, horizons, proba if expected > 0 else None, seconds)
    mass = rows.mass
    weights = mass / mass.sum() if mass.sum() > 0 else np.full(len(days), 1.0 / len(days))
    scale = math.sqrt(card["frauds"] / max(expected, 1.0))  # the file's sampling, to the test's
    out: dict[str, Any] = {"level": card["level"], "expected_frauds": round(expected, 2)}
    between = card.get("between") or {}
    z = float(norm.ppf(0.5 + card["level"] / 2))
    elapsed = rows.elapsed
    ageing = 0.0 if elapsed is None else math.sqrt(elapsed / card["observed"]["days"])
    for name in FIGURES:
        period = z * float(between.get(name, 0.0))
        few = z / math.sqrt(max(expected, 1.0)) if name in OVER_FRAUDS else 0.0
        out[name] = _mixed(figures, weights, name, Spreads(scale, period, ageing, few))
    out["elapsed_days"] = None if elapsed is None else round(elapsed, 2)
    out["observed_days"] = (card.get("observed") or {}).get("days")
    out["horizon_days"] = {
        "min": _days(rows.least),
        "median": _days(rows.median),
        "max": _days(rows.greatest),
    }
    out["rows_by_horizon"] = [
        {"from_days": int(d), "rows": int(n)}
        for d, n in zip(days, rows.rows_by_horizon, strict=True)
    ]
    out["covered_days"] = int(days[-1])
    out["beyond_rows"] = rows.beyond
    out["reads_labels"] = bool(card.get("reads_labels", True))
    return out


def _days(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


@dataclass(frozen=True)
class Spreads:
    """How far a file's figure may lie from the card's, beside the test period's own
    half-width: ``scale`` times it for the file's sampling, at least ``few`` times the
    figure's largest standard deviation over frauds (:data:`OVER_FRAUDS`), ``period`` for
    the moves between periods, and ``ageing`` times it below (module docstring)."""

    scale: float
    period: float
    ageing: float = 0.0
    few: float = 0.0


def _mixed(
    figures: list[Mapping[str, Any]], weights: np.ndarray, name: str, spreads: Spreads
) -> dict[str, float] | None:
    """One figure averaged over the horizons, its interval widened by ``spreads``."""
    used = [(w, f) for w, f in zip(weights, figures, strict=True) if w > 0]
    if not used or any(f.get(name) is None or f.get(f"{name}_low") is None for _, f in used):
        return None
    total = sum(w for w, _ in used)
    center = sum(w * f[name] for w, f in used) / total
    below = sum(w * (f[name] - f[f"{name}_low"]) for w, f in used) / total
    above = sum(w * (f[f"{name}_high"] - f[name]) for w, f in used) / total
    # a mean of values in [0, 1] with mean c varies at most as c(1 - c) (Bhatia-Davis)
    bound = spreads.few * math.sqrt(center * (1.0 - center))
    low = math.hypot(below, max(below * spreads.scale, bound), spreads.period)
    low = math.hypot(low, below * spreads.ageing)
    high = math.hypot(above, max(above * spreads.scale, bound), spreads.period)
    return {
        "value": round(center, 4),
        "low": round(max(0.0, center - low), 4),
        "high": round(min(1.0, center + high), 4),
    }


@dataclass(frozen=True, slots=True)
class RowTimes:
    """What a promise reads of the scored rows before their scores: the card, each row's
    instant in seconds and the sorted instants of every label known to the scoring
    (:func:`label_times`). Made before the rows are scored (:func:`ensemble_times`), so
    the timestamps are parsed while no scores are held beside the table."""

    card: Mapping[str, Any]
    seconds: Sliced  # an array, or on disk for a table on disk (:func:`sliced_times`)
    labels: np.ndarray


def ensemble_times(
    ensemble: Ensemble,
    frame: pd.DataFrame,
    known: KnownLabels | None,
    upload: Upload | None = None,
) -> RowTimes | None:
    """The row times of a one-model ensemble's promise on ``frame`` (the upload's column
    names); ``None`` for a pool of references (their cards speak of other data).
    ``upload``: the file's description, whose time format its time column (and a labelled
    history's) is parsed with, as the scoring parses it (``scoring.member_frame``), not
    with the format the model was trained on."""
    if len(ensemble.models) != 1 or ensemble.calibration is not None:
        return None
    member, model = ensemble.members[0], ensemble.models[0]
    read = times_read(ensemble)
    frame = file_instants(frame, read, upload)
    if known is not None and known.history is not None:
        known = replace(known, history=file_instants(known.history, read, upload))
    rename = {k: v for k, v in member.mapping.items() if k != v}
    if rename:
        frame = frame.rename(columns=rename)
        if known is not None and known.history is not None:
            known = replace(known, history=known.history.rename(columns=rename))
    return file_times(model, frame, known, tail=member.history)


def sliced_times(
    ensemble: Ensemble, table: SlicedTable, upload: Upload | None = None
) -> RowTimes | None:
    """:func:`ensemble_times` of a table held on disk in slices, without late labels: the
    time column parsed a slice at a time (a value's parse reads that value alone), never
    held whole as text (at 20M rows, 560 MiB for a moment)."""
    if len(ensemble.models) != 1 or ensemble.calibration is not None:
        return None
    member, model = ensemble.members[0], ensemble.models[0]
    card = getattr(model, "horizons", None)
    read = times_read(ensemble)
    if not card or not read:  # no promise, or no column of the file is its time: as whole
        return ensemble_times(ensemble, table.columns_of(read), None, upload)
    rename = {k: v for k, v in member.mapping.items() if k != v}
    # on disk as they are parsed, read back a slice at a time as the rows are counted
    # (ADR 0134: at 20M rows 160 MB, the figures' largest array beside the probabilities)
    seconds = ColumnOnDisk(np.int64)
    for piece in table.pieces(read):
        some = model.features.seconds(file_instants(piece, read, upload).rename(columns=rename))
        if some is None:
            seconds.close()
            return None
        seconds.append(some)
    return RowTimes(card, seconds, labels_known(model, None, None, member.history))


def times_read(ensemble: Ensemble) -> list[str]:
    """The upload's columns :func:`ensemble_times` reads (its one model's time column), so
    that a table held on disk in slices is read for them alone."""
    if len(ensemble.models) != 1 or ensemble.calibration is not None:
        return []
    member, model = ensemble.members[0], ensemble.models[0]
    timestamp = model.features.spec.timestamp
    return [up for up, mine in member.mapping.items() if mine == timestamp]


def file_times(
    model: FraudModel, inputs: pd.DataFrame, known: KnownLabels | None, tail: bool = True
) -> RowTimes | None:
    """The row times of ``model``'s promise on the rows ``inputs`` (the model's column
    names), or ``None`` when the card has no horizons (a model saved before them, no out-of-
    time test, no time column)."""
    card = getattr(model, "horizons", None)
    if not card:
        return None
    seconds, labels = label_times(model, inputs, known, tail)
    if seconds is None:
        return None
    return RowTimes(card, seconds, labels)


def promise_of(times: RowTimes | None, proba: Sliced) -> dict[str, Any] | None:
    """What the card promises of the rows ``times`` describes, scored ``proba``."""
    if times is None:
        return None
    horizons = RowHorizons(times.seconds, times.labels, times.card["delay_days"])
    return promised(times.card, horizons, proba, times.seconds)


def file_promise(
    model: FraudModel,
    inputs: pd.DataFrame,
    known: KnownLabels | None,
    proba: np.ndarray,
    tail: bool = True,
) -> dict[str, Any] | None:
    """What ``model``'s card promises of the scored rows ``inputs`` (the model's column
    names), or ``None`` when the card has no horizons (a model saved before them, no out-of-
    time test, no time column)."""
    return promise_of(file_times(model, inputs, known, tail), proba)
