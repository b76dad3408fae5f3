"""Map raw model scores to probabilities, fitted on validation data only.

Isotonic regression when validation holds enough frauds to shape a step function
without overfitting it, Platt scaling (a logistic fit on the score's logit) otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

#: Isotonic calibration needs at least this many frauds and rows in validation.
ISOTONIC_MIN_POSITIVES = 100
ISOTONIC_MIN_ROWS = 1000


def _logit(scores: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(scores, dtype=float), 1e-7, 1 - 1e-7)
    logit: np.ndarray = np.log(p / (1 - p))
    return logit.reshape(-1, 1)


@dataclass
class Calibrator:
    """A fitted score-to-probability map."""

    method: str  # "isotonic" | "sigmoid"
    model: IsotonicRegression | LogisticRegression
    positives: int
    rows: int

    @classmethod
    def fit(cls, scores: np.ndarray, y: np.ndarray) -> Calibrator:
        """Fit on validation ``scores`` and labels ``y`` (0/1)."""
        y = np.asarray(y, dtype=int)
        positives = int(y.sum())
        if positives >= ISOTONIC_MIN_POSITIVES and len(y) >= ISOTONIC_MIN_ROWS:
            iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
            iso.fit(np.asarray(scores, dtype=float), y)
            return cls("isotonic", iso, positives, len(y))
        platt = LogisticRegression(C=1e4)
        platt.fit(_logit(scores), y)
        return cls("sigmoid", platt, positives, len(y))

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        """Calibrated probabilities of fraud for raw ``scores``."""
        if isinstance(self.model, IsotonicRegression):
            return np.asarray(self.model.predict(np.asarray(scores, dtype=float)), dtype=float)
        return np.asarray(self.model.predict_proba(_logit(scores))[:, 1], dtype=float)
