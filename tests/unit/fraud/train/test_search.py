"""The model search: its stages, its budget on a fake clock, the refinement and the choice."""

from __future__ import annotations

import time
from pathlib import Path

import joblib
import numpy as np
import pytest

from entrepot.fraud.model.estimator import positive_scores
from entrepot.fraud.train.search import (
    KINDS,
    REFINE_FACTORS,
    REFINE_SHARE,
    TRIAL_SHARE,
    Data,
    Trial,
    choose,
    fit_one,
    refine_factor,
    refine_reserve,
    search,
)
from entrepot.fraud.train.space import DEFAULTS, SPACES, neighbour, slower
from entrepot.fraud.train.splits import time_cut_one_class, time_splits
from tests.support.clock import TickingClock

STEP = 0.01  # fake seconds per reading of the clock


def ticking() -> TickingClock:
    """A clock that advances by ``STEP`` at every reading: boosting reads it once a round,
    so fake time counts rounds, whatever the machine's load."""
    return TickingClock(STEP, start=1000.0)


@pytest.fixture(scope="module")
def data() -> Data:
    rng = np.random.default_rng(3)
    n = 4000
    x = rng.normal(size=(n, 6))
    x[rng.random(x.shape) < 0.05] = np.nan
    signal = np.nan_to_num(x[:, 0]) + 0.5 * np.nan_to_num(x[:, 1]) ** 2
    y = (signal + rng.normal(0, 0.7, n) > 2.2).astype(int)
    return Data(x[:2800], y[:2800], x[2800:], y[2800:], x[2800:], y[2800:])


def _trial(kind: str, val: float, stage: str = "default", **extra: object) -> Trial:
    return Trial(kind, {}, val, 1.0, 10, None, stage, **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize("budget", [1.5, 4.0])
def test_the_budget_holds_on_a_fake_clock(data: Data, budget: float) -> None:
    clock = ticking()
    start = clock.now
    trials = search(data, budget_seconds=budget, clock=clock)
    spent = clock.now - start
    # Boosting stops at the first round past the deadline, and the trials that start
    # must fit in what is left: the overrun is a few readings of the clock.
    assert spent <= budget + 10 * STEP
    for trial in trials:
        cap = budget * TRIAL_SHARE if trial.stage != "refined" else budget
        assert trial.seconds <= cap + 3 * STEP, trial.to_dict()


def test_stages_come_in_order_and_the_refinement_slows_the_best(data: Data) -> None:
    trials = search(data, budget_seconds=12.0, clock=ticking())
    stages = [t.stage for t in trials]
    assert stages[: len(KINDS)] == ["default"] * len(KINDS)
    assert [t.kind for t in trials[: len(KINDS)]] == list(KINDS)
    assert "tuned" in stages
    assert stages.count("refined") == 1
    at = stages.index("refined")
    refined = trials[at]
    assert refined.refines is not None
    base = trials[refined.refines]
    boosted_before = [t for t in trials[:at] if t.kind in ("lightgbm", "xgboost")]
    assert base is max(boosted_before, key=lambda t: t.validation_auprc)
    assert refined.kind == base.kind
    factor = refined.params["learning_rate"] / base.params["learning_rate"]
    assert REFINE_FACTORS[0] - 1e-3 <= factor <= REFINE_FACTORS[1] + 1e-3
    assert {k: v for k, v in refined.params.items() if k != "learning_rate"} == {
        k: v for k, v in base.params.items() if k != "learning_rate"
    }


def test_no_refinement_of_a_model_the_deadline_cut(data: Data) -> None:
    trials = search(data, budget_seconds=0.3, kinds=("lightgbm",), clock=ticking())
    assert trials[0].cut_short
    assert all(t.stage != "refined" for t in trials)
    assert len(trials) >= 2  # the time is spent tuning instead


def test_unknown_kinds_are_refused(data: Data) -> None:
    with pytest.raises(ValueError, match="unknown model kinds"):
        search(data, budget_seconds=1, kinds=("random_forest",))


def test_refine_factor_and_reserve() -> None:
    low, high = REFINE_FACTORS
    assert refine_factor(1.0, 100.0) == low  # plenty of time: the smallest rate
    assert refine_factor(1.0, 2.0) == pytest.approx(0.625)  # 1.25 * 1 / 2
    assert refine_factor(1.0, 1.0) is None  # even the largest factor cannot fit
    assert refine_reserve(1.0, 100.0) == pytest.approx(1.25 / low)
    assert refine_reserve(10.0, 40.0) == pytest.approx(REFINE_SHARE * 40.0)
    assert refine_reserve(30.0, 40.0) == 0.0  # 1.25 * 30 / 26 exceeds the largest factor
    assert refine_factor(10.0, refine_reserve(10.0, 40.0)) is not None
    assert refine_factor(10.0, refine_reserve(10.0, 40.0)) <= high  # type: ignore[operator]


def test_the_refinement_of_the_best_configuration_is_kept() -> None:
    trials = [
        _trial("lightgbm", 0.70),
        _trial("logistic_regression", 0.60),
        _trial("lightgbm", 0.69, "refined", refines=0),
    ]
    assert choose(trials) is trials[2]  # a lower score than its base: noise, kept


def test_a_refinement_cut_short_must_win_on_its_own_score() -> None:
    trials = [
        _trial("lightgbm", 0.70),
        _trial("lightgbm", 0.69, "refined", refines=0, cut_short=True),
    ]
    assert choose(trials) is trials[0]
    trials[1].validation_auprc = 0.71
    assert choose(trials) is trials[1]


def test_a_refinement_of_another_model_must_win_on_its_own_score() -> None:
    trials = [
        _trial("lightgbm", 0.70),
        _trial("logistic_regression", 0.75),
        _trial("lightgbm", 0.74, "refined", refines=0),
    ]
    assert choose(trials) is trials[1]
    trials[2].validation_auprc = 0.76
    assert choose(trials) is trials[2]
    with pytest.raises(ValueError, match="no trial"):
        choose([])


def test_neighbours_stay_in_range_and_keep_the_learning_rate() -> None:
    rng = np.random.default_rng(0)
    for kind, space in SPACES.items():
        params = dict(DEFAULTS[kind])
        for _ in range(200):
            moved = neighbour(kind, params, rng, step=0.5)
            assert moved["learning_rate"] == params["learning_rate"]
            changed = [k for k in moved if moved[k] != params[k]]
            assert len(changed) <= 3
            for dim in space:
                assert dim.low <= moved[dim.name] <= dim.high, (kind, dim.name)
                if dim.integer:
                    assert isinstance(moved[dim.name], int)
            params = moved
    assert slower({"learning_rate": 0.1, "max_bin": 1023}, 0.2) == {
        "learning_rate": 0.02,
        "max_bin": 1023,
    }


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.slow  # a training over 15 s (make unit leaves it out)
def test_every_family_round_trips_through_joblib(data: Data, kind: str, tmp_path: Path) -> None:
    model, _ = fit_one(kind, dict(DEFAULTS[kind]), data, time.monotonic() + 30, 0, 1)
    before = positive_scores(model, data.x_val)
    joblib.dump(model, tmp_path / "model.joblib")
    loaded = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(positive_scores(loaded, data.x_val), before)
    assert np.isfinite(before).all()


def test_a_time_split_needs_frauds_in_training() -> None:
    y = np.zeros(1000, dtype=int)
    y[700::2] = 1  # every fraud after the training period
    assert time_splits(np.arange(1000), y) is None
    y[[10, 20]] = 1
    found = time_splits(np.arange(1000), y)
    assert found is not None
    assert len(found.train) == 600 and len(found.validation) == len(found.test) == 200


def test_a_time_split_needs_legitimate_rows_in_every_window() -> None:
    """Legitimate rows all early: a test window of frauds alone is refused (it calibrates
    and measures nothing), and the plain cut is known to be of one class."""
    y = np.zeros(1000, dtype=int)
    y[::10] = 1
    y[800:] = 1  # the test period holds frauds only
    assert time_splits(np.arange(1000), y) is None
    assert time_cut_one_class(np.arange(1000), y)
    y[800::2] = 0
    assert time_splits(np.arange(1000), y) is not None
    assert not time_cut_one_class(np.arange(1000), y)


@pytest.mark.parametrize("kind", ["xgboost", "lightgbm"])
def test_a_model_the_deadline_stops_at_its_first_round_keeps_that_round(
    data: Data, kind: str
) -> None:
    # Regression: on a loaded machine the deadline can pass during the first round, before
    # early stopping records a best one; xgboost then raised on `best_iteration`.
    clock = ticking()
    model, rounds = fit_one(kind, dict(DEFAULTS[kind]), data, clock.now, 0, 1, clock=clock)
    assert rounds == 1
    assert positive_scores(model, data.x_val).shape == (len(data.y_val),)


@pytest.mark.parametrize("kind", ["hist_gradient_boosting", "lightgbm", "xgboost"])
def test_a_feature_missing_on_every_fit_row_does_not_stop_training(kind: str) -> None:
    """Regression: scikit-learn's histogram binning failed on a column with no value at
    all (an e-commerce table whose devices never repeat: its customer features are all
    missing), and training exited with a traceback."""
    rng = np.random.default_rng(4)
    x = np.c_[rng.normal(size=(400, 2)), np.full(400, np.nan)]
    y = (x[:, 0] + rng.normal(scale=0.5, size=400) > 1).astype(int)
    data = Data(x[:300], y[:300], x[300:], y[300:], x[300:], y[300:])
    model, _ = fit_one(kind, dict(DEFAULTS[kind]), data, float("inf"), 0, 1)
    scores = positive_scores(model, x[300:])
    assert np.isfinite(scores).all()
    assert scores[y[300:] == 1].mean() > scores[y[300:] == 0].mean()
