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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

#: Frauds in validation from which isotonic regression is used.
ISOTONIC_MIN_FRAUDS = 1000
#: Weight of the Platt map that breaks the isotonic steps' ties.
TIE_BREAK = 1e-6


def _logit(scores: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(scores, dtype=float), 1e-7, 1 - 1e-7)
    logit: np.ndarray = np.log(p / (1 - p))
    return logit.reshape(-1, 1)


def blend(isotonic: np.ndarray, platt: np.ndarray) -> np.ndarray:
    """Isotonic probabilities with their ties broken by the Platt ones."""
    return (1 - TIE_BREAK) * isotonic + TIE_BREAK * platt


@dataclass
class Calibrator:
    """A fitted score-to-probability map."""

    method: str  # "sigmoid" | "isotonic"
    model: IsotonicRegression | LogisticRegression
    positives: int
    rows: int
    tie_break: LogisticRegression | None = None  # the Platt map, for isotonic

    @classmethod
    def fit(cls, scores: np.ndarray, y: np.ndarray) -> Calibrator:
        """Fit on validation ``scores`` and labels ``y`` (0/1), the method by size."""
        y = np.asarray(y, dtype=int)
        platt = LogisticRegression(C=1e4)
        platt.fit(_logit(scores), y)
        positives = int(y.sum())
        if positives < ISOTONIC_MIN_FRAUDS:
            return cls("sigmoid", platt, positives, len(y))
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
        iso.fit(np.asarray(scores, dtype=float), y)
        return cls("isotonic", iso, positives, len(y), tie_break=platt)

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
