"""Data-parallel boosting's rounds and refusals (``fraud.train.data_parallel``, ADR 0118):
the rounds are chosen on the validation rows by the checkpoint rule, held here to a second
computation that predicts with each checkpoint's trees afresh; without a cluster of two
workers the mode is refused before any work."""

from __future__ import annotations

from typing import Any

import lightgbm as lgb
import numpy as np
import pytest
from sklearn.metrics import average_precision_score

from entrepot.fraud.errors import NeedsCluster
from entrepot.fraud.train import data_parallel
from entrepot.fraud.train.data_parallel import STEP, best_checkpoint, cluster_workers
from entrepot.messages import Message
from entrepot.pools import Here


def _fitted(rounds: int, seed: int) -> tuple[Any, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(3_000, 6))
    y = (x[:, 0] + 0.8 * x[:, 1] * x[:, 2] + rng.normal(scale=1.5, size=3_000) > 2.2).astype(int)
    model = lgb.LGBMClassifier(
        n_estimators=rounds, learning_rate=0.3, num_leaves=31, random_state=seed, verbose=-1
    )
    model.fit(x[:2_000], y[:2_000])
    return model.booster_, x[2_000:], y[2_000:]


@pytest.mark.parametrize(("rounds", "seed"), [(61, 0), (96, 1), (40, 2)])
def test_the_best_checkpoint_is_the_one_predicting_afresh_finds(rounds: int, seed: int) -> None:
    booster, x_val, y_val = _fitted(rounds, seed)
    checkpoints = [*range(STEP, rounds, STEP), rounds]
    afresh = [
        float(average_precision_score(y_val, booster.predict(x_val, num_iteration=k)))
        for k in checkpoints
    ]
    best, auprc = best_checkpoint(booster, x_val, y_val)
    first_best = int(np.argmax(afresh))  # argmax keeps the first of equals, as the rule does
    assert best == checkpoints[first_best]
    assert auprc == pytest.approx(afresh[first_best], abs=1e-12)


def test_a_late_best_goes_on_to_twice_the_rounds(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rounds' rule alone: a best checkpoint near the last round doubles the rounds,
    the boosting going on from the trees so far (only the new rounds are fitted), one far
    from it stops."""
    fits: list[tuple[int, int | None]] = []  # (rounds asked, trees it went on from)
    answers = iter([250, 500, 600])  # late in 256, late in 512, early in 1024

    class _Booster:
        def __init__(self, trees: int) -> None:
            self.trees = trees
            self.best_iteration = 0

        def current_iteration(self) -> int:
            return self.trees

    class _Model:
        def __init__(self, trees: int) -> None:
            self.booster_ = _Booster(trees)

    class _Spread:
        def __init__(self, **params: Any) -> None:
            self.rounds = int(params["n_estimators"])

        def fit(self, *_a: Any, init_model: _Booster | None = None, **_k: Any) -> None:
            self.before = 0 if init_model is None else init_model.trees
            fits.append((self.rounds, None if init_model is None else init_model.trees))

        def to_local(self) -> _Model:
            return _Model(self.before + self.rounds)

    class _Pool:
        client = None

        def blocks(self, *arrays: Any) -> tuple[Any, ...]:
            return arrays

    monkeypatch.setattr(lgb, "DaskLGBMClassifier", _Spread)
    monkeypatch.setattr(data_parallel, "best_checkpoint", lambda *_a: (next(answers), 0.5))
    monkeypatch.setattr(data_parallel, "positive_scores", lambda _m, x: np.linspace(0, 1, len(x)))
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(50, 3)), (rng.random(50) > 0.8).astype(int)
    from entrepot.fraud.train.fits import Data

    trial = data_parallel.data_parallel_trial(_Pool(), Data(x, y, x, y, x, y), 0)  # type: ignore[arg-type]
    assert fits == [(256, None), (256, 256), (512, 512)]
    assert trial.estimator.booster_.current_iteration() == 1024
    assert trial.iterations == 600 and trial.stage == "data_parallel"
    assert trial.estimator.booster_.best_iteration == 600


class _Cluster:
    def __init__(self, workers: int) -> None:
        self._workers = workers
        self.client = None

    def run(self, task: Any, shared: Any, items: Any) -> list[Any]:
        return [task(shared, item) for item in items]

    def blocks(self, *arrays: Any) -> tuple[Any, ...]:
        return arrays

    def workers(self) -> int:
        return self._workers


@pytest.mark.parametrize("pool", [None, Here(), _Cluster(1), _Cluster(0)])
def test_without_a_cluster_of_two_the_mode_is_refused(pool: Any) -> None:
    with pytest.raises(NeedsCluster) as refused:
        cluster_workers(pool)
    said = refused.value.said
    assert isinstance(said, Message) and said.key == "error.fraud.data_parallel_needs_cluster"
    assert "--workers 2" in refused.value.hint


def test_a_cluster_of_two_or_more_is_taken() -> None:
    assert cluster_workers(_Cluster(2)) == 2
    assert cluster_workers(_Cluster(8)) == 8
