"""``pools.run_waiting`` on a pool that cannot wait: items in waves, each after the items
it waits for; a wait that can never be met is refused, not a loop without end.
``pools.run_each``: each result handed over as soon as it is made in process, after the
run on a pool that cannot hand them over."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from entrepot.pools import Here, OnDemand, run_each, run_here, run_waiting


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


def test_in_process_each_result_is_handed_over_before_the_next_item_is_made() -> None:
    """Issue 40 item 3 (ADR 0125): a scoring in process holds one part's scores at a
    time: each is handed over before the next part is read."""
    events: list[str] = []

    def make(i: int) -> int:
        events.append(f"made {i}")
        return i

    run_each(Here(), _twice, 3, OnDemand(3, make), lambda i, r: events.append(f"{i}={r}"))
    assert events == ["made 0", "0=0", "made 1", "1=3", "made 2", "2=6"]


def test_a_pool_that_cannot_hand_results_over_hands_them_after_its_run_in_order() -> None:
    pool = Plain()
    handed: list[tuple[int, int]] = []
    run_each(pool, _twice, 2, [5, 6, 7], lambda i, r: handed.append((i, r)))
    assert handed == [(0, 10), (1, 12), (2, 14)]
    assert pool.runs == [[5, 6, 7]]
