"""Map raw model scores to probabilities, fitted on validation data only.

The method is chosen by size, as isotonic regression needs many frauds not to overfit:

* fewer than :data:`ISOTONIC_MIN_FRAUDS` frauds in validation: Platt scaling on the
  score's logit, ``p = sigmoid(a * logit(s) + b)``;
* that many or more: isotonic regression, whose steps follow the observed frequencies
  without assuming their shape. A step function ties the rows of a step, which cost
  0.01-0.03 test AUPRC on every benchmark set when it was used alone
  (``docs/benchmarks.md``), so the ties are broken by the Platt map:
  ``p = (1 - 1e-6) * isotonic(s) + 1e-6 * platt(s)``, within 1e-6 of the isotonic
  probability and strictly increasing in the score.

Either way the calibrated probabilities rank transactions exactly as the model's scores
do. Models saved with a bare isotonic calibrator (no tie-break) still load and score.

**How far the probabilities may be off** (:class:`LevelError`, which widens the estimate
of precision and recall without labels, ``entrepot.fraud.score.expected``, ADR 0042): a
probability's log-odds ``z`` may be off by ``δ = α·(z - center) + β``, the same ``α`` and
``β`` for every row of a period:

* the calibrator's own error: the covariance of the Platt map's slope and intercept
  fitted on the validation rows (the inverse of its Fisher information, ``XᵀWX`` with
  ``X = [logit(s), 1]`` and ``W = p(1-p)``), in ``(α, β)``; an isotonic calibrator
  counts that of its tie-breaking Platt map;
* the fraud rate moving from period to period (:func:`period_spread`), added to ``β``'s
  variance: the validation rows in time order cut into :data:`PERIODS` stretches, the
  log-ratio of each stretch's frauds to its probabilities' sum, and the part of their
  mean square that chance does not explain.

Models saved before count ``β``'s variance as ``1/frauds + 1/legitimate`` (the log-odds of
their validation fraud rate) and nothing else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

#: Frauds in validation from which isotonic regression is used.
ISOTONIC_MIN_FRAUDS = 1000
#: Weight of the Platt map that breaks the isotonic steps' ties.
TIE_BREAK = 1e-6
#: Stretches of the validation rows whose fraud rates :func:`period_spread` compares.
PERIODS = 8


def _logit(scores: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(scores, dtype=float), 1e-7, 1 - 1e-7)
    logit: np.ndarray = np.log(p / (1 - p))
    return logit.reshape(-1, 1)


def blend(isotonic: np.ndarray, platt: np.ndarray) -> np.ndarray:
    """Isotonic probabilities with their ties broken by the Platt ones."""
    return (1 - TIE_BREAK) * isotonic + TIE_BREAK * platt


@dataclass(frozen=True)
class LevelError:
    """The spread of a period's error on calibrated log-odds ``z``: ``δ = α·(z - center)
    + β`` with ``(α, β)`` of variances ``slope``, ``shift`` and covariance ``both``."""

    center: float = 0.0
    slope: float = 0.0
    both: float = 0.0
    shift: float = 0.0

    def with_drift(self, drift: float) -> LevelError:
        """This error with the fraud rate's spread ``drift`` added to ``β``."""
        return replace(self, shift=self.shift + drift**2)


def period_spread(y: np.ndarray, p: np.ndarray, periods: int = PERIODS) -> float:
    """How far the fraud rate moves between periods beyond chance: ``y`` the labels and
    ``p`` the calibrated probabilities of rows in time order, cut into ``periods``
    stretches of equal rows; for each, ``r = log(O / E)`` (frauds ``O``, ``E = Σ p``, each
    plus one half) with chance's variance ``Σ p(1-p) / E²``; the square root of
    ``mean(r²) - mean(chance)``, floored at 0."""
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    squares, chance = [], []
    for rows in np.array_split(np.arange(len(y)), periods):
        if not len(rows):
            continue
        observed, expected = y[rows].sum() + 0.5, p[rows].sum() + 0.5
        squares.append(math.log(observed / expected) ** 2)
        chance.append(float((p[rows] * (1 - p[rows])).sum() + 0.25) / expected**2)
    if not squares:
        return 0.0
    return math.sqrt(max(0.0, float(np.mean(squares) - np.mean(chance))))


def platt_error(platt: LogisticRegression, scores: np.ndarray) -> LevelError:
    """The covariance of ``platt``'s slope and intercept fitted on ``scores`` (the inverse
    of its Fisher information), as the error of the log-odds it maps them to."""
    x = _logit(scores)
    a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])
    p = np.asarray(platt.predict_proba(x)[:, 1], dtype=float)
    w = p * (1 - p)
    design = np.hstack([x, np.ones_like(x)])
    information = design.T @ (design * w[:, None])
    try:
        cov = np.linalg.inv(information)
    except np.linalg.LinAlgError:
        return LevelError(center=b, shift=1.0)
    # z = a·L + b moved by (Δa, Δb) is z + (Δa / a)·(z - b) + Δb.
    scale = 1 / a if abs(a) > 1e-9 else 0.0
    return LevelError(b, float(cov[0, 0]) * scale**2, float(cov[0, 1]) * scale, float(cov[1, 1]))


@dataclass
class Calibrator:
    """A fitted score-to-probability map."""

    method: str  # "sigmoid" | "isotonic"
    model: IsotonicRegression | LogisticRegression
    positives: int
    rows: int
    tie_break: LogisticRegression | None = None  # the Platt map, for isotonic
    error: LevelError | None = None  # how far its log-odds may be off (module docstring)

    @property
    def level_error(self) -> LevelError:
        """How far its probabilities' log-odds may be off on another period (module
        docstring); for a calibrator saved without it, the validation rate's alone."""
        if self.error is not None:
            return self.error
        frauds, legitimate = max(self.positives, 1), max(self.rows - self.positives, 1)
        return LevelError(shift=1 / frauds + 1 / legitimate)

    @classmethod
    def fit(cls, scores: np.ndarray, y: np.ndarray) -> Calibrator:
        """Fit on validation ``scores`` and labels ``y`` (0/1), the method by size."""
        y = np.asarray(y, dtype=int)
        platt = LogisticRegression(C=1e4)
        platt.fit(_logit(scores), y)
        positives = int(y.sum())
        error = platt_error(platt, scores)
        if positives < ISOTONIC_MIN_FRAUDS:
            return cls("sigmoid", platt, positives, len(y), error=error)
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
        iso.fit(np.asarray(scores, dtype=float), y)
        return cls("isotonic", iso, positives, len(y), tie_break=platt, error=error)

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        """Calibrated probabilities of fraud for raw ``scores``."""
        if isinstance(self.model, IsotonicRegression):
            stepped = np.asarray(self.model.predict(np.asarray(scores, dtype=float)), dtype=float)
            if self.tie_break is None:
                return stepped
            return blend(stepped, _platt(self.tie_break, scores))
        return _platt(self.model, scores)


def _platt(model: LogisticRegression, scores: np.ndarray) -> np.ndarray:
    return np.asarray(model.predict_proba(_logit(scores))[:, 1], dtype=float)
