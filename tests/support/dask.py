"""A pool whose first task kills its own worker (SIGKILL), once: what a lost machine does
to a spread scoring or training (``DaskPool`` runs the task again on another worker)."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from entrepot.pools import Pool, WaitingPool


class KillingOnce:
    """A pool whose first task to start kills its own worker process (SIGKILL), once."""

    def __init__(self, pool: Pool, marker: Path) -> None:
        self._pool = pool
        self._marker = marker

    def run(self, task: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any]) -> list[Any]:
        return self._pool.run(_Killer(task, self._marker), shared, items)

    def run_after(
        self,
        task: Callable[[Any, Any], Any],
        shared: Any,
        items: Sequence[Any],
        after: Sequence[Sequence[int]],
        on_done: Callable[[int], None] | None = None,
    ) -> list[Any]:
        """As the wrapped pool's (its items that wait for others), the first task killing
        its worker."""
        assert isinstance(self._pool, WaitingPool)
        return self._pool.run_after(_Killer(task, self._marker), shared, items, after, on_done)


class _Killer:
    def __init__(self, task: Callable[[Any, Any], Any], marker: Path) -> None:
        self.task = task
        self.marker = marker

    def __call__(self, shared: Any, item: Any) -> Any:
        try:
            self.marker.touch(exist_ok=False)
        except FileExistsError:
            return self.task(shared, item)
        os.kill(os.getpid(), signal.SIGKILL)
        raise AssertionError("not reached")


class ShuttingDown:
    """A pool whose tasks shut the whole cluster down, the scheduler first, from its
    ``after + 1``-th run on (the runs before it go through: a scheduler lost mid-way)."""

    def __init__(self, pool: Pool, after: int = 0) -> None:
        self._pool = pool
        self._left = after

    def run(self, task: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any]) -> list[Any]:
        if self._left > 0:
            self._left -= 1
            return self._pool.run(task, shared, items)
        return self._pool.run(_shut_down, shared, items)


def _shut_down(shared: Any, item: Any) -> Any:
    from distributed import get_client

    get_client().shutdown()
    raise AssertionError("not reached")
