"""What a training's budget is read on: the ``training_clock`` setting picks the wall
clock or a clock of steps, a new one for each training."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from entrepot.bootstrap.fraud import service_options
from entrepot.config import InvalidSettings, Settings
from entrepot.fraud.train.clocks import STEP_SECONDS, StepClock, clock_factory


def test_a_step_clock_advances_one_step_per_reading_and_nothing_else() -> None:
    clock = StepClock()
    readings = [clock() for _ in range(1000)]
    assert readings[1] - readings[0] == pytest.approx(STEP_SECONDS)
    # counted, not summed: the 1000th reading is exactly 1000 steps, as on any other clock
    assert readings[-1] == 1000 * STEP_SECONDS
    again = StepClock()
    assert [again() for _ in range(1000)] == readings


def test_each_training_gets_a_clock_of_its_own() -> None:
    new_clock = clock_factory("steps")
    one, two = new_clock(), new_clock()
    assert isinstance(one, StepClock) and one is not two
    one()
    assert two() == STEP_SECONDS  # the first reading of a clock nobody else read
    assert clock_factory("wall")() is time.monotonic


def test_the_setting_reaches_the_services(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("ENTREPOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    secret = "s" * 40
    assert service_options(Settings(), secret_key=secret).new_clock() is time.monotonic
    steps = service_options(Settings(training_clock="steps"), secret_key=secret)
    assert isinstance(steps.new_clock(), StepClock)


def test_an_unknown_clock_is_refused_with_the_values_it_may_take(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InvalidSettings) as caught:
        Settings(training_clock="rounds")
    assert "ENTREPOT_TRAINING_CLOCK='rounds': should be 'wall' or 'steps'" in " | ".join(
        caught.value.problems
    )
