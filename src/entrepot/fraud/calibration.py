"""Map raw model scores to probabilities, fitted on validation data only.

Platt scaling on the score's logit, ``p = sigmoid(a * logit(s) + b)``: strictly
increasing, so the calibrated probabilities rank transactions exactly as the model's
scores do. Isotonic regression, fitted before when validation held 100 frauds or more, is
a step function: it tied the highest-scored rows and cost 0.01-0.03 test AUPRC on every
benchmark set, for a Brier score on test no better than Platt's (``docs/benchmarks.md``).
Models saved with an isotonic calibrator still load and score.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression


def _logit(scores: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(scores, dtype=float), 1e-7, 1 - 1e-7)
    logit: np.ndarray = np.log(p / (1 - p))
    return logit.reshape(-1, 1)


@dataclass
class Calibrator:
    """A fitted score-to-probability map."""

    method: str  # "sigmoid" | "isotonic" (models saved before 2026-11-21)
    model: IsotonicRegression | LogisticRegression
    positives: int
    rows: int

    @classmethod
    def fit(cls, scores: np.ndarray, y: np.ndarray) -> Calibrator:
        """Fit on validation ``scores`` and labels ``y`` (0/1)."""
        y = np.asarray(y, dtype=int)
        platt = LogisticRegression(C=1e4)
        platt.fit(_logit(scores), y)
        return cls("sigmoid", platt, int(y.sum()), len(y))

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        """Calibrated probabilities of fraud for raw ``scores``."""
        if isinstance(self.model, IsotonicRegression):
            return np.asarray(self.model.predict(np.asarray(scores, dtype=float)), dtype=float)
        return np.asarray(self.model.predict_proba(_logit(scores))[:, 1], dtype=float)
