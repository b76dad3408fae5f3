"""What a training's time budget is read on: the wall clock, or a clock of steps.

A budget in seconds read on the wall clock decides how many trials run and how many
boosting rounds each may take, so the same file gives a different model on a loaded
machine. Read on a :class:`StepClock`, the budget counts readings instead (one per
boosting round, and a few per trial): the same file and seed give the same search, and
the same model, on any machine however loaded; the training then takes as long as that
machine needs. ``bootstrap`` picks one by the ``training_clock`` setting. A search's
trials each read a :func:`fresh` step clock, and the search adds up their steps: the same
search on one process or on any number of workers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

#: A clock in seconds, as :func:`time.monotonic`.
Clock = Callable[[], float]
#: A new clock for each training (a step clock counts one training's readings only).
ClockFactory = Callable[[], Clock]
#: The values of the ``training_clock`` setting.
ClockKind = Literal["wall", "steps"]

#: Seconds of budget one reading of a :class:`StepClock` takes: a budget of 60 s is
#: 12,000 readings, about as many boosting rounds.
STEP_SECONDS = 0.005


class StepClock:
    """A clock (seconds) that advances :data:`STEP_SECONDS` at each reading and not
    otherwise: the readings are counted as integers, so equal histories read equal
    times."""

    def __init__(self, step: float = STEP_SECONDS) -> None:
        self.step = step
        self.readings = 0

    def __call__(self) -> float:
        self.readings += 1
        return self.readings * self.step

    def fresh(self) -> StepClock:
        """A new step clock of the same step, read by nobody yet: each trial of a search
        counts its own steps, so a trial reads the same times here or on a worker."""
        return StepClock(self.step)


def counts_steps(clock: Clock) -> bool:
    """Whether ``clock`` counts steps (it can start :meth:`StepClock.fresh` ones) rather
    than reading time (the wall clock, which every trial reads as it is)."""
    return callable(getattr(clock, "fresh", None))


def fresh(clock: Clock) -> Clock | None:
    """A new clock of ``clock``'s kind that nobody has read (a step clock's
    :meth:`StepClock.fresh`), or ``None`` for a clock every trial reads as it is (the
    wall clock: a trial measures its durations on it, wherever it runs)."""
    return clock.fresh() if counts_steps(clock) else None  # type: ignore[attr-defined]


def wall_clock() -> Clock:
    """The wall clock (:func:`time.monotonic`), as a factory returns it."""
    return time.monotonic


def clock_factory(kind: ClockKind) -> ClockFactory:
    """The factory of the clocks ``kind`` names: ``wall`` or ``steps``."""
    return StepClock if kind == "steps" else wall_clock
