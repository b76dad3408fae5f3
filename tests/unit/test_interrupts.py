"""Ctrl-C held back to a checkpoint."""

from __future__ import annotations

import signal
import threading

import pytest

from entrepot.interrupts import interrupts_at_checkpoints


def _steps(reached: list[str]) -> None:
    with interrupts_at_checkpoints() as ctrl_c:
        signal.raise_signal(signal.SIGINT)
        reached.append("after the signal")  # the step the signal landed in finishes
        ctrl_c.check()
        reached.append("after the checkpoint")


def test_a_ctrl_c_inside_the_block_waits_for_the_checkpoint() -> None:
    reached: list[str] = []
    with pytest.raises(KeyboardInterrupt):
        _steps(reached)
    assert reached == ["after the signal"]


def test_a_ctrl_c_before_the_end_is_raised_at_the_end_and_the_handler_comes_back() -> None:
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt), interrupts_at_checkpoints():
        signal.raise_signal(signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is before


def test_without_a_ctrl_c_nothing_is_raised() -> None:
    with interrupts_at_checkpoints() as ctrl_c:
        ctrl_c.check()


def test_outside_the_main_thread_nothing_is_held() -> None:
    seen: list[int] = []

    def run() -> None:
        with interrupts_at_checkpoints() as ctrl_c:
            seen.append(ctrl_c.caught)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert seen == [0]
