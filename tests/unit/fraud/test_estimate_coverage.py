"""Issue 25 item 4: the estimate's error and the coverage of its interval on generated
periods, with a model trained as the product trains (a budgeted search, read on a ticking
clock so that it is the same on a loaded machine).

Per seed: card payments (12,000 rows, 5 % fraud) train a LightGBM model, whose
calibrator is fitted on the validation rows (60-80 % of the time order). Scored, their
labels removed:

* *undrifted*: another file of the same generator (another seed), the same stretch of its
  calendar as the calibration rows (60-80 %): the population the probabilities were
  calibrated on;
* *drifted*: the same stretch of a file at 15 % fraud: more fraud for the same inputs, a
  concept shift the method says it cannot see.

The realised precision and recall are computed here from the generator's labels with
numpy. **Expected coverage.** The interval is 95 % for the spread of the labels given
calibrated probabilities and for the probabilities' own error (the Platt map's slope and
intercept, fitted on about 100 frauds, and the fraud rate's moves within the validation
period: ``LevelError``, ADR 0042); without the latter it covered 10 of 12 undrifted
figures, with it 11 of 12 (mean width 0.14 before, 0.22 after). The test allows 1 miss
of 12 undrifted (at least 90 %), a mean width under 0.3 (still an estimate), asks that
the drifted period be covered at most once, and that its error be at least twice the
undrifted one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

import numpy as np
import pandas as pd
import pytest

from entrepot.fraud.match.description import describe
from entrepot.fraud.model.saved import FraudModel
from entrepot.fraud.score.assemble import from_model
from entrepot.fraud.score.ensemble import Ensemble
from entrepot.fraud.score.expected import Estimated, expected_performance
from entrepot.fraud.score.scoring import score
from entrepot.fraud.synth.generator import generate
from entrepot.fraud.train.training import train
from tests.support.clock import TickingClock

ROWS = 12_000
SEEDS = (1, 2, 3, 4, 5, 6)
WINDOW = (0.6, 0.8)  # the validation rows of a time split (fraud/train/splits.py)


@dataclass(frozen=True)
class Figure:
    estimated: Estimated
    realised: float

    @property
    def covered(self) -> bool:
        low, high = self.estimated.low, self.estimated.high
        assert low is not None and high is not None
        return low <= self.realised <= high

    @property
    def width(self) -> float:
        low, high = self.estimated.low, self.estimated.high
        assert low is not None and high is not None
        return high - low

    @property
    def error(self) -> float:
        assert self.estimated.value is not None
        return abs(self.estimated.value - self.realised)


@cache
def _model(seed: int) -> FraudModel:
    data = generate("card_payments", ROWS, fraud_rate=0.05, seed=seed, variety=False)
    found = train(
        data.frame,
        data.target,
        time_budget=2,
        models=("lightgbm",),
        clock=TickingClock(),
        label_features=False,  # an unlabelled file has no past labels to read
    )
    return found.model


def _period(model: FraudModel, frame: pd.DataFrame, target: str) -> tuple[Figure, Figure]:
    """Precision and recall estimated on the window's rows of ``frame`` (scored whole,
    without its label), and realised against its labels."""
    x = frame.drop(columns=[target])
    single = from_model(model, {}, {}, describe(x), name="m", version="1")
    # Without the model's training tail: the scored file's own earlier rows are its history.
    ensemble = Ensemble((replace(single.members[0], history=False),), single.models)
    p = score(x, ensemble, explain=False)["fraud_probability"].to_numpy(dtype=float)
    a, b = int(len(p) * WINDOW[0]), int(len(p) * WINDOW[1])
    p, y = p[a:b], frame[target].to_numpy(dtype=int)[a:b]
    found = expected_performance(p, ensemble.threshold, error=ensemble.level_error)
    flagged = p >= ensemble.threshold
    assert flagged.any() and y.any()
    precision = float(y[flagged].sum() / flagged.sum())
    recall = float(y[flagged].sum() / y.sum())
    return Figure(found.precision, precision), Figure(found.recall, recall)


def _figures(fraud_rate: float, offset: int) -> list[Figure]:
    out: list[Figure] = []
    for seed in SEEDS:
        data = generate(
            "card_payments", ROWS, fraud_rate=fraud_rate, seed=seed + offset, variety=False
        )
        out.extend(_period(_model(seed), data.frame, data.target))
    return out


@pytest.mark.slow
def test_the_interval_covers_most_undrifted_figures_and_the_drifted_ones_rarely() -> None:
    undrifted = _figures(0.05, 50)
    drifted = _figures(0.15, 100)
    covered = sum(f.covered for f in undrifted)
    assert covered >= len(undrifted) - 1, [(f.estimated, f.realised) for f in undrifted]
    assert float(np.mean([f.width for f in undrifted])) < 0.3
    assert sum(f.covered for f in drifted) <= 1
    error = float(np.mean([f.error for f in undrifted]))
    assert error < 0.08
    assert float(np.mean([f.error for f in drifted])) > 2 * error
