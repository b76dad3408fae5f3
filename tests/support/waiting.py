"""Tests wait on a condition, never on the time a machine takes (issue 23): they poll
until it holds, and the only limit is a generous ceiling that turns a hang into a
failure. A loaded machine makes a test slower, never red."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import pytest

T = TypeVar("T")

#: Seconds after which a wait is taken for a hang: no condition a test waits on takes
#: this long even on a machine shared by several test runs.
HANG_GUARD = 600.0


def wait_for(
    condition: Callable[[], T | None],
    what: str,
    *,
    gone: Callable[[], str | None] = lambda: None,
    every: float = 0.1,
    ceiling: float = HANG_GUARD,
) -> T:
    """Poll ``condition`` every ``every`` seconds until it returns something other than
    ``None`` (or ``False``), and return that. ``gone()`` says why it never can (a process
    exited, with its log) to fail at once; ``what`` names the condition in the failure
    after ``ceiling`` seconds, a hang guard only."""
    began = time.monotonic()
    while True:
        found = condition()
        if found is not None and found is not False:
            return found
        reason = gone()
        if reason is not None:
            pytest.fail(f"{what}: {reason}")
        if time.monotonic() - began > ceiling:
            pytest.fail(f"{what}: still not after {ceiling:.0f} s (a hang?)")
        time.sleep(every)
