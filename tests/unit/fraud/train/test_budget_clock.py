"""A training's time budget read on a clock it is given: on a clock that advances a fixed
step per reading, the same rows give the same model whatever the machine's load (the
test library of ``tests/support/fraud.py`` relies on it)."""

from __future__ import annotations

import numpy as np

from entrepot.fraud.synth.generator import generate
from entrepot.fraud.train.training import train
from tests.support.clock import TickingClock


def test_a_ticking_clock_makes_the_budgeted_search_repeatable() -> None:
    data = generate("mobile_money", 3000, fraud_rate=0.04, seed=77)
    runs = [
        train(data.frame, data.target, time_budget=0.5, models=("lightgbm",), clock=clock)
        for clock in (TickingClock(), TickingClock())
    ]
    first, second = (r.performance["selection"]["trials"] for r in runs)
    assert len(first) >= 2  # a search, not a single default fit
    assert [(t["params"], t["iterations"]) for t in first] == [
        (t["params"], t["iterations"]) for t in second
    ]
    x = runs[0].model.feature_matrix(data.frame.drop(columns=[data.target]))
    np.testing.assert_array_equal(
        runs[0].model.proba_of_features(x), runs[1].model.proba_of_features(x)
    )


def test_progress_is_seconds_of_the_budget_and_leaves_the_search_alone() -> None:
    data = generate("mobile_money", 3000, fraud_rate=0.04, seed=77)
    messages: list[object] = []
    reports: list[tuple[int, int]] = []
    watched = train(
        data.frame,
        data.target,
        time_budget=0.5,
        models=("lightgbm",),
        clock=TickingClock(),
        progress=messages.append,
        on_progress=lambda *r: reports.append(r),
    )
    plain = train(
        data.frame, data.target, time_budget=0.5, models=("lightgbm",), clock=TickingClock()
    )
    # one report with each message, and the whole budget at the end
    assert len(reports) == len(messages) + 1
    assert reports[-1] == (1, 1)  # a budget under a second counts as one
    assert all(0 <= done <= total == 1 for done, total in reports)
    assert [done for done, _ in reports] == sorted(done for done, _ in reports)
    # reporting reads no budget clock: the same trials as without it
    trials = [r.performance["selection"]["trials"] for r in (watched, plain)]
    assert [(t["params"], t["iterations"]) for t in trials[0]] == [
        (t["params"], t["iterations"]) for t in trials[1]
    ]
