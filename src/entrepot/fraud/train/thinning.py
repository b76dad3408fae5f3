"""Training rows thinned for speed: every fraud, a random share of the legitimate rows.

A large, rare-fraud table (a reference dataset sized to hold enough frauds) has far more
legitimate rows than a model needs to learn what normal looks like. :func:`thin` keeps
every fraud and at most ``max_legitimate`` legitimate rows drawn at random over the whole
training period, each weighted by the inverse of its share, so that the weighted fit set
has the training split's fraud rate: the models' raw scores keep the true base rate, and
validation and test (never thinned) measure AUPRC and calibration on it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Thinned:
    """The kept training positions and their sample weights (``None``: nothing thinned)."""

    rows: np.ndarray
    weights: np.ndarray | None
    legitimate: int  # legitimate training rows before thinning
    kept_legitimate: int

    @property
    def legitimate_weight(self) -> float:
        """The weight of each kept legitimate row (1 when nothing was thinned)."""
        return self.legitimate / self.kept_legitimate if self.kept_legitimate else 1.0


def thin(train: np.ndarray, y: np.ndarray, max_legitimate: int | None, seed: int) -> Thinned:
    """``train`` (positions into ``y``) with every fraud and at most ``max_legitimate``
    legitimate rows, in their original order; ``None`` keeps every row."""
    if max_legitimate is not None and max_legitimate < 1:
        raise ValueError(f"max_legitimate must be at least 1, got {max_legitimate}")
    legitimate = train[y[train] == 0]
    if max_legitimate is None or len(legitimate) <= max_legitimate:
        return Thinned(train, None, len(legitimate), len(legitimate))
    rng = np.random.default_rng(seed)
    kept = rng.choice(legitimate, size=max_legitimate, replace=False)
    rows = np.sort(np.concatenate([train[y[train] == 1], kept]))
    weight = len(legitimate) / max_legitimate
    weights = np.where(y[rows] == 1, 1.0, weight)
    return Thinned(rows, weights, len(legitimate), max_legitimate)
