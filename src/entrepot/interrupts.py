"""Ctrl-C taken at a checkpoint rather than anywhere: a catalog statement being compiled
when the signal lands leaves the database driver half-way (an ``IndexError`` from the
cursor instead of a clean interruption)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class Checkpoints:
    """The SIGINTs held back so far; :meth:`check` raises the first one."""

    def __init__(self) -> None:
        self.caught = 0

    def remember(self, _signum: int, _frame: FrameType | None) -> None:
        self.caught += 1

    def check(self) -> None:
        """Raise :class:`KeyboardInterrupt` if Ctrl-C was pressed since the block began."""
        if self.caught:
            raise KeyboardInterrupt


@contextmanager
def interrupts_at_checkpoints() -> Iterator[Checkpoints]:
    """Hold SIGINT back inside the block: it is raised as :class:`KeyboardInterrupt` at
    the block's next :meth:`Checkpoints.check`, or when the block ends. Outside the main
    thread (where Python delivers no signal) nothing is held."""
    held = Checkpoints()
    if threading.current_thread() is not threading.main_thread():
        yield held
        return
    previous = signal.signal(signal.SIGINT, held.remember)
    try:
        yield held
    finally:
        signal.signal(signal.SIGINT, previous)
    held.check()
