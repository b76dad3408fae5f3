"""The work's own failures inside a pool's run, kept apart from the scheduler's.

A pool over Dask (``bootstrap/cluster.py``) reads a lost scheduler's ``OSError`` as
:class:`~entrepot.errors.SchedulerUnavailable`. The work's own code runs inside that same
run: the caller's (an item made on demand, a spilled part read back; a result handed
over, scores written to their places; a progress told) and the task's on a worker. What
it raises (a full disk's ``OSError``, a file gone) is carried past that reading as
:class:`OwnFailure` and raised as it was: never said to be a scheduler gone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["OwnFailure", "own"]

T = TypeVar("T")


class OwnFailure(Exception):
    """What the work's own code raised inside a pool's run (:attr:`error`)."""

    def __init__(self, error: Exception) -> None:
        super().__init__(error)
        self.error = error


def own(call: Callable[..., T], *args: Any) -> T:
    """``call(*args)``, the work's own code: what it raises is carried as
    :class:`OwnFailure`."""
    try:
        return call(*args)
    except Exception as exc:
        raise OwnFailure(exc) from exc
