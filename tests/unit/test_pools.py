"""``pools.run_waiting`` on a pool that cannot wait: items in waves, each after the items
it waits for; a wait that can never be met is refused, not a loop without end."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from entrepot.pools import run_here, run_waiting


class Plain:
    """A pool without ``run_after``: its runs, in order."""

    def __init__(self) -> None:
        self.runs: list[list[Any]] = []

    def run(self, task: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any]) -> list[Any]:
        self.runs.append(list(items))
        return run_here(task, shared, items)


def _twice(shared: int, item: int) -> int:
    return shared * item


def test_items_run_in_waves_after_what_they_wait_for() -> None:
    pool = Plain()
    told: list[int] = []
    found = run_waiting(pool, _twice, 2, [1, 2, 3, 4], [[], [2], [], [1]], on_done=told.append)
    assert found == [2, 4, 6, 8]
    assert pool.runs == [[1, 3], [2], [4]]
    assert told == [2, 3, 4]


@pytest.mark.parametrize("after", [[[0]], [[1], [0]], [[5]]])
def test_a_wait_never_met_is_refused(after: list[list[int]]) -> None:
    items = list(range(len(after)))
    with pytest.raises(ValueError, match="wait forever"):
        run_waiting(Plain(), _twice, 1, items, after)
