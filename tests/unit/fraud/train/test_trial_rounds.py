"""The model search's trials as tasks (issue 40 item 4, ADR 0100): a trial counts its own
steps, the same on every run; the rounds do not depend on where or in what order their
trials run, so a pool of workers gives the in-process search, trial for trial."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Sequence
from typing import Any

import lightgbm as lgb
import numpy as np
import pytest

from entrepot.fraud.train.clocks import StepClock
from entrepot.fraud.train.fits import Data, _lgb_deadline
from entrepot.fraud.train.search import ROUND, choose, search
from entrepot.fraud.train.space import DEFAULTS
from entrepot.fraud.train.trials import Proposal, TrialInputs, run_trial


@pytest.fixture(scope="module")
def data() -> Data:
    rng = np.random.default_rng(11)
    n = 6000
    x = rng.normal(size=(n, 6))
    x[rng.random(x.shape) < 0.05] = np.nan
    y = (np.nan_to_num(x[:, 0]) + rng.normal(0, 0.8, n) > 2.0).astype(int)
    return Data(x[:4000], y[:4000], x[4000:], y[4000:], x[4000:], y[4000:])


def test_the_deadline_reads_the_clock_strictly_after_early_stopping() -> None:
    # Regression: both had order 30, and LightGBM sorts a set of callbacks by order, so
    # which ran first followed their ids: the last round read the clock once more or not.
    deadline = _lgb_deadline(1.0, StepClock())
    assert deadline.order > lgb.early_stopping(50).order  # type: ignore[attr-defined]


def test_a_trial_spends_the_same_steps_on_every_run(data: Data) -> None:
    inputs = TrialInputs(data, seed=0, n_jobs=1, clock=StepClock())
    proposal = Proposal("lightgbm", dict(DEFAULTS["lightgbm"]), "default", cap=50.0)
    runs = [run_trial(inputs, proposal) for _ in range(12)]
    assert len({(r.spent, r.trial.seconds, r.trial.iterations) for r in runs}) == 1
    assert runs[0].spent > runs[0].trial.seconds > 0  # its own steps, the first one counted
    assert not runs[0].trial.cut_short


class _Reversed:
    """A pool whose workers run the items last first, each through pickle (as a worker
    receives and sends them), the results in the items' order."""

    def __init__(self) -> None:
        self.rounds: list[int] = []

    def run(self, task: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any]) -> list[Any]:
        self.rounds.append(len(items))
        sent = pickle.loads(pickle.dumps(shared))
        done = [pickle.loads(pickle.dumps(task(sent, item))) for item in reversed(items)]
        return done[::-1]


def _facts(trials: list[Any]) -> list[tuple[object, ...]]:
    return [
        (t.kind, t.stage, t.params, t.iterations, t.seconds, t.validation_auprc, t.cut_short)
        for t in trials
    ]


def test_a_pool_runs_the_in_process_search_trial_for_trial(data: Data) -> None:
    alone = search(data, budget_seconds=8.0, clock=StepClock())
    pool = _Reversed()
    spread = search(data, budget_seconds=8.0, clock=StepClock(), pool=pool)
    assert _facts(spread) == _facts(alone)
    assert alone.index(choose(alone)) == spread.index(choose(spread))
    for a, b in zip(alone, spread, strict=True):
        np.testing.assert_array_equal(a.validation_scores, b.validation_scores)
    # rounds of several trials, never more than a round's worth
    assert max(pool.rounds) > 1 and max(pool.rounds) <= ROUND
    assert sum(pool.rounds) == len(spread)


def test_the_rounds_hold_the_budget_on_a_step_clock(data: Data) -> None:
    budget = 3.0
    inputs = TrialInputs(data, seed=0, n_jobs=1, clock=StepClock())
    trials = search(data, budget_seconds=budget, clock=StepClock())
    # each trial's own steps, counted again here: their sum is the budget spent
    spent = sum(
        run_trial(inputs, Proposal(t.kind, t.params, t.stage, cap=budget)).spent
        for t in trials
        if not t.cut_short
    )
    assert len(trials) >= 3
    assert spent <= budget + len(trials) * 2 * StepClock().step
