"""Precision and recall at the threshold, estimated from the probabilities alone.

Confidence-based performance estimation (NannyML's CBPE): if the probabilities are
calibrated, a row scored ``p`` is a fraud with probability ``p``, so over the scored file

* expected true positives ``E[TP] = Σ p`` over the flagged rows (``p ≥ threshold``),
* expected false positives ``E[FP] = Σ (1 - p)`` over the flagged rows,
* expected false negatives ``E[FN] = Σ p`` over the other rows,

and ``precision ≈ E[TP] / flagged``, ``recall ≈ E[TP] / (E[TP] + E[FN])``.

**Interval.** With each label an independent Bernoulli(``p``), ``TP`` and ``FN`` are
Poisson-binomial sums with variances ``Σ p(1-p)`` over their rows. The interval is the
normal approximation of those sums (Lyapunov's central limit theorem): precision
``E[TP]/k ± z·sqrt(Var TP)/k``; recall by the delta method on ``TP / (TP + FN)``,
``Var ≈ (E[FN]² Var TP + E[TP]² Var FN) / (E[TP] + E[FN])⁴``; both clipped to [0, 1]. It
is the spread of the realised figure around the estimate *when the assumptions hold*: the
probabilities are calibrated on this population (each model's calibrator, fitted on its
validation data, ``entrepot.fraud.model.calibration``) and there is no concept shift (the
link between inputs and fraud is the training one). A shift of the inputs alone
(covariate shift) is what the method absorbs; another fraud rate for the same inputs, or
new fraud patterns, it cannot see: the estimate is then off by more than its interval.
With few expected frauds (under ~10 in a sum) the normal approximation is rough.

**The probabilities' own error.** Calibrated probabilities are themselves estimates: the
calibrator saw a hundred or so validation frauds, and a fraud rate moves from one
period to the next. Both move the log-odds ``z`` of a whole period together, by
``δ = α·(z - center) + β`` (:class:`~entrepot.fraud.model.calibration.LevelError`, kept
with each model's calibrator), which the labels' spread above leaves out (measured: 10 of
12 undrifted figures covered without it, ADR 0042). Each figure is computed again with
``α`` and then ``β`` moved by one standard deviation either way, the flags unchanged;
the central differences give its gradient ``g`` and ``gᵀ Σ g`` its variance from the
error (the delta method), added to the labels' variance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy.stats import norm

from entrepot.fraud.model.calibration import LevelError
from entrepot.fraud.score.row_slices import Sliced, row_slices

#: The interval's coverage.
LEVEL = 0.95
#: Probabilities summed at a time (:func:`expected_performance`).
SLICE_ROWS = 1 << 20


@dataclass(frozen=True)
class Estimated:
    """One figure estimated, with its interval (``None`` when undefined)."""

    value: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class ExpectedPerformance:
    """Expected confusion counts and precision and recall at ``threshold``."""

    threshold: float
    rows: int
    flagged: int
    expected_tp: float
    expected_fp: float
    expected_fn: float
    precision: Estimated
    recall: Estimated
    level: float = LEVEL

    @property
    def expected_frauds(self) -> float:
        """Frauds the probabilities expect in the file."""
        return self.expected_tp + self.expected_fn


def expected_performance(
    probabilities: Sliced,
    threshold: float,
    *,
    level: float = LEVEL,
    error: LevelError | None = None,
) -> ExpectedPerformance:
    """Estimate precision and recall at ``threshold`` from calibrated ``probabilities``
    (see the module docstring), ``error`` how far their log-odds may be off (``None``: the
    labels' spread only); a missing probability counts as unflagged and is left out of the
    expectations. The sums are taken :data:`SLICE_ROWS` rows at a time, so the temporaries
    are a slice's, not the file's (at 20M rows: 30 bytes a row, 600 MB, the peak of a
    scoring's last steps); a file of one slice is summed as a whole. ``probabilities``: an
    array, or read a slice at a time (``row_slices.Sliced``: held on disk, ADR 0136)."""
    sums = _Sums()
    for _, some in row_slices(probabilities, SLICE_ROWS):
        sums.add(some, threshold, error)
    tp, fn, var_tp, var_fn, k = sums.tp, sums.fn, sums.var_tp, sums.var_fn, sums.flagged
    z = float(norm.ppf(0.5 + level / 2))
    precision = Estimated(None, None, None)
    moved = _error_variance(sums, error)
    if k:
        sd = math.sqrt(var_tp / k**2 + moved[0])
        precision = _clipped(tp / k, z * sd)
    recall = Estimated(None, None, None)
    total = tp + fn
    if total > 0:
        sd = math.sqrt((fn**2 * var_tp + tp**2 * var_fn) / total**4 + moved[1])
        recall = _clipped(tp / total, z * sd)
    return ExpectedPerformance(
        threshold=float(threshold),
        rows=sums.rows,
        flagged=k,
        expected_tp=tp,
        expected_fp=float(k - tp),
        expected_fn=fn,
        precision=precision,
        recall=recall,
        level=level,
    )


#: The log-odds moves each figure is computed again at: ``(alpha, beta)`` in standard
#: deviations of the error's slope and shift (module docstring).
_MOVES = ((1.0, 0.0), (-1.0, 0.0), (0.0, 1.0), (0.0, -1.0))


class _Sums:
    """The sums the estimate reads, added a slice of probabilities at a time: the expected
    true positives and false negatives, their variances, the rows and flagged rows, and
    for each of :data:`_MOVES` the moved probabilities' sums over the flagged rows and
    over every row."""

    def __init__(self) -> None:
        self.tp = self.fn = self.var_tp = self.var_fn = 0.0
        self.rows = self.flagged = 0
        self.moved = np.zeros((len(_MOVES), 2))

    def add(self, probabilities: np.ndarray, threshold: float, error: LevelError | None) -> None:
        p = np.asarray(probabilities, dtype=float)
        p = np.clip(p[np.isfinite(p)], 0.0, 1.0)
        flagged = p >= threshold
        hit, miss = p[flagged], p[~flagged]
        self.tp += float(hit.sum())
        self.fn += float(miss.sum())
        self.var_tp += float((hit * (1 - hit)).sum())
        self.var_fn += float((miss * (1 - miss)).sum())
        self.rows += len(p)
        self.flagged += int(flagged.sum())
        if error is None or not len(p):
            return
        z = np.log(np.clip(p, 1e-12, 1.0)) - np.log(np.clip(1.0 - p, 1e-12, 1.0))
        sa, sb = _deviations(error)
        for at, (a, b) in enumerate(_MOVES):
            if not (a * sa or b * sb):
                continue  # a deviation of 0: no move, its gradient 0 (``_error_variance``)
            q = 1.0 / (1.0 + np.exp(-(z + a * sa * (z - error.center) + b * sb)))
            self.moved[at] += (float(q[flagged].sum()), float(q.sum()))


def _deviations(error: LevelError) -> tuple[float, float]:
    """The standard deviations of ``error``'s slope and shift."""
    return math.sqrt(max(error.slope, 0.0)), math.sqrt(max(error.shift, 0.0))


def unsupported(found: ExpectedPerformance) -> ExpectedPerformance:
    """``found`` with intervals reaching down to 0. The estimate assumes the
    probabilities rank the file's frauds as they ranked their models' own; when no model
    reads the file like its data (``Ensemble.unfamiliar``) that is unknown: their ranking
    may be no better than chance, and the fraud rate they were calibrated to is the
    references', not the file's (ADR 0045, round 8: realised precision 1.5 % where 44 %
    was estimated, under the 1.6 % of a chance ranking at the rate's low end)."""
    return replace(found, precision=_from_zero(found.precision), recall=_from_zero(found.recall))


def _from_zero(found: Estimated) -> Estimated:
    return found if found.value is None else replace(found, low=0.0)


def _error_variance(sums: _Sums, error: LevelError | None) -> tuple[float, float]:
    """The variances of precision and recall from ``error`` (module docstring)."""
    if error is None or not sums.rows:
        return 0.0, 0.0
    sa, sb = _deviations(error)
    k = sums.flagged

    def figures(at: int) -> np.ndarray:
        tp, total = sums.moved[at]
        return np.asarray([tp / k if k else 0.0, tp / total if total > 0 else 0.0])

    zero = np.zeros(2)
    ga = (figures(0) - figures(1)) / (2 * sa) if sa else zero
    gb = (figures(2) - figures(3)) / (2 * sb) if sb else zero
    var = ga**2 * error.slope + 2 * ga * gb * error.both + gb**2 * error.shift
    return float(max(var[0], 0.0)), float(max(var[1], 0.0))


def _clipped(value: float, spread: float) -> Estimated:
    return Estimated(value, max(0.0, value - spread), min(1.0, value + spread))
